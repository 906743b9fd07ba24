"""Issue 23 item 6: a measure's definition, read beside its figure on the dashboard and in the API, carries no
rule, policy or scenario code — the codes stay in the docstrings developers read."""
from __future__ import annotations

from apps.core.rule_codes import ANY_ID, strip
from apps.reports import kpis


def test_every_kpi_definition_users_read_is_free_of_codes() -> None:
    assert kpis.REGISTRY, "the measures are registered at import"
    carrying = {code: k.definition for code, k in kpis.REGISTRY.items() if ANY_ID.search(k.definition)}
    assert carrying == {}
    # the docstrings themselves keep the codes (that is where developers trace a measure to the SPEC)
    assert any(ANY_ID.search(k.parts.__doc__ or "") for k in kpis.REGISTRY.values())


def test_strip_keeps_the_sentence_and_drops_the_codes() -> None:
    assert strip("期内受理的全部诉求（按受理时间 T-02 计；不含作废，含“未关闭”结案 R-M5-14）。") == (
        "期内受理的全部诉求（按受理时间计；不含作废，含“未关闭”结案）。"
    )
    assert strip("须先经主管以上人员验证（R-M4-01）") == "须先经主管以上人员验证"
    assert strip("内部员工投诉按公司设置（R-M1-17、P-08，默认不计入）") == "内部员工投诉按公司设置（默认不计入）"
