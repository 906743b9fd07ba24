"""Issue 23 item 6: no rule, policy or scenario code (R-M4-01, P-13, AS-20) in any text a user sees.

Codes stay in docstrings, comments and test names, where developers trace a rule to the SPEC."""
from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_user_facing_text_carries_a_rule_code() -> None:
    run = subprocess.run([sys.executable, str(ROOT / "locale" / "tools" / "strip_rule_ids.py"), "--check"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, f"texts still carry codes (run locale/tools/strip_rule_ids.py):\n{run.stdout}"


def test_stored_rule_labels_lose_their_codes_on_migration() -> None:
    migration = importlib.import_module("apps.workdays.migrations.0009_labels_without_rule_codes")
    assert migration._plain("R-M2-05 规则A 口头 当日内") == "规则A 口头 当日内"
    assert migration._plain("R-M2-11(a) 网上投诉 4小时内礼节性回复") == "网上投诉 4小时内礼节性回复"
    assert migration._plain("制度10 线路等复杂故障 一周内（T-08 7×24小时）") == "制度10 线路等复杂故障 一周内（7×24小时）"
    assert migration._plain("须经主管验证（R-M4-01、P-13）") == "须经主管验证"
    assert migration._plain("规则C 4个工作日") == "规则C 4个工作日"
