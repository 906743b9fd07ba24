"""Masking of owners' personal data and the rule for showing it in full (SPEC R-M7-01, R-M7-03, R-M7-10).

Masking (pure functions, used by every page, export and API schema of the owner archive):

- phone ``13812345678`` → ``138****5678``; landlines keep the area code and the last four digits
  (``0755-83211234`` → ``0755****1234``);
- ID numbers keep the first four and the last four characters (``110101199003071234`` →
  ``1101**********1234``): the birth date and the sequence number — the parts that identify a
  person — are hidden, the province/city prefix and the tail that owners quote on the phone stay;
- names keep the surname (``张三丰`` → ``张**``), plates keep the province and the last character.

Who may see data in full — our reading of R-M7-01 (interpretation, documented on issue 2):

R-M7-01 says nobody consults customer data without the department head's consent, and that the
system shows personal data only "to roles that have it in their work, or after a department-head
approval". We read that as three tiers:

1. **Masked archive** (``Cap.VIEW_ARCHIVE``): every CS role, department heads and company
   leadership see households, occupancy, tags and *masked* persons. Masked data is not a
   consultation and is not logged.
2. **Contact data in the daily work** — name, phone, second phone of a non-VIP person: roles
   whose duties are calling owners (front desk R-M19-03 (1)(10), butler/CS specialist R-M19-05,
   supervisor R-M19-02, managers, quality R-M19-07 — exactly the roles with
   ``Cap.UNMASK_PERSONAL_DATA``) may show them after an explicit "显示完整信息" with a reason.
   Their role *is* the standing consent; every reveal is still logged (查看有记录). A 管家 (butler
   and nothing else in the project) works on their own buildings (``Building.steward``) and their own
   tickets only; outside them the reveal needs a grant (tier 3) — "consultation" is any display outside
   the user's own tickets (SPEC R-M7-01, AS-40). A refusal for want of a grant is logged too.
3. **Everything else needs the department head's grant** (``ArchiveGrant``, given by a holder of
   ``Cap.GRANT_ARCHIVE_ACCESS``, time-limited, revocable) *in addition to* the capability and the
   explicit request: ID numbers, vehicles, any field of a VIP person (R-M7-03: VIP data is
   restricted like R-M7-01), and unmasked roster exports (bulk consultation).

Users without ``UNMASK_PERSONAL_DATA`` (workers, department heads, leadership, system admin) never
see personal data in full, grant or not; they reach an owner through the ticket they handle.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MASK = "*"

#: fields a role with UNMASK_PERSONAL_DATA may reveal without a grant (tier 2)
CONTACT_FIELDS: frozenset[str] = frozenset({"name", "phone", "phone2", "email", "fax"})
#: fields that always need a grant (tier 3)
SENSITIVE_FIELDS: frozenset[str] = frozenset({"id_number", "vehicles"})
ALL_FIELDS: tuple[str, ...] = ("name", "phone", "phone2", "email", "fax", "id_number", "vehicles")

FIELD_LABELS = {"name": "姓名", "phone": "手机", "phone2": "其他电话", "email": "电子邮箱", "fax": "传真",
                "id_number": "证件号码", "vehicles": "车辆",
                "decoration_media": "装修影像/录音", "call_recording": "通话录音"}  # R-M7-10 (not a reveal field: log label only)

_LANDLINE = re.compile(r"^(0\d{2,3})[-\s]?(\d{7,8})$")


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``; ``0755-83211234`` → ``0755****1234``; short numbers keep the last two."""
    text = (value or "").strip()
    if not text:
        return ""
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+86"):
        digits = digits[2:]
    m = _LANDLINE.match(text.replace(" ", "")) if not text.startswith("1") else None
    if m:
        return f"{m.group(1)}{MASK * 4}{m.group(2)[-4:]}"
    if len(digits) >= 11:
        return digits[:3] + MASK * (len(digits) - 7) + digits[-4:]
    if len(digits) >= 7:
        return MASK * (len(digits) - 4) + digits[-4:]
    if len(digits) <= 2:
        return MASK * len(digits)
    return MASK * (len(digits) - 2) + digits[-2:]


def mask_email(value: str | None) -> str:
    """``zhangsan@example.com`` → ``z*******@e******.com``: the first character of the mailbox and of the
    domain and the top-level domain stay, like the tail of a phone number (R-M7-01)."""
    text = (value or "").strip()
    if not text:
        return ""
    local, at, domain = text.partition("@")
    if not at:
        return mask_name(text)
    head, dot, tld = domain.rpartition(".")
    if not dot:
        head, tld = domain, ""
    masked_domain = (head[:1] + MASK * max(len(head) - 1, 1)) if head else ""
    return f"{local[:1]}{MASK * max(len(local) - 1, 1)}@{masked_domain}{'.' + tld if tld else ''}"


def mask_id_number(value: str | None) -> str:
    """``110101199003071234`` → ``1101**********1234``; other documents keep first and last character."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) >= 10:
        return text[:4] + MASK * (len(text) - 8) + text[-4:]
    if len(text) <= 2:
        return MASK * len(text)
    return text[0] + MASK * (len(text) - 2) + text[-1]


def mask_name(value: str | None) -> str:
    """``张三丰`` → ``张**``; ``欧阳娜娜`` → ``欧***`` (only the first character stays)."""
    text = (value or "").strip()
    if not text:
        return ""
    return text[0] + MASK * max(len(text) - 1, 1)


def mask_room(label: str | None, room_no: str | None = None) -> str:
    """``5栋2单元1502`` → ``5栋2单元****``: the building and unit stay, the room that links the address to a
    person is hidden (R-M7-03: a VIP's address is restricted like the rest of their data)."""
    text = (label or "").strip()
    room = (room_no or "").strip()
    if not text:
        return ""
    if room and text.endswith(room):
        return text[: -len(room)] + MASK * len(room)
    return MASK * 4


def mask_plate(value: str | None) -> str:
    """``粤B12345`` → ``粤B****5``."""
    text = (value or "").strip()
    if len(text) <= 3:
        return MASK * len(text)
    return text[:2] + MASK * (len(text) - 3) + text[-1]


#: phone numbers and ID numbers written into free text (an owner's words, a handler's note): mobiles,
#: landlines with an area code, 18-character resident ID numbers; digits glued to other digits are not
#: matched (``13号楼``, order numbers stay as they are)
_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}"
                      r"|0\d{2,3}-\d{7,8})(?![0-9A-Za-z])")


def mask_text(value: str | None) -> str:
    """Free text with the phone and ID numbers in it masked (issue 14 item 9: prints and exports)."""
    text = value or ""
    if not text:
        return ""

    def one(m: re.Match[str]) -> str:
        found = m.group(0)
        if len(found) == 18 and found[:17].isdigit():
            return mask_id_number(found)
        return mask_phone(found.replace(" ", "").replace("-", "") if found.startswith("1") else found)

    return _IN_TEXT.sub(one, text)


MASKERS = {"name": mask_name, "phone": mask_phone, "phone2": mask_phone, "email": mask_email, "fax": mask_phone,
           "id_number": mask_id_number}


@dataclass(frozen=True)
class RevealNeed:
    """What a reveal of ``fields`` for a person needs beyond the capability and the explicit request."""

    grant_required: bool
    why: str  # Chinese, shown when the grant is missing


def reveal_need(fields: set[str] | frozenset[str], *, is_vip: bool, bulk: bool = False) -> RevealNeed:
    """Tier 2 or tier 3 (see the module docstring)."""
    if bulk:
        return RevealNeed(True, "导出完整顾客资料须经部门负责人授权")
    if is_vip:
        return RevealNeed(True, "VIP 客户资料须经部门负责人授权方可查阅")
    sensitive = set(fields) & SENSITIVE_FIELDS
    if sensitive:
        names = "、".join(FIELD_LABELS[f] for f in ALL_FIELDS if f in sensitive)
        return RevealNeed(True, f"查阅{names}须经部门负责人授权")
    return RevealNeed(False, "")
