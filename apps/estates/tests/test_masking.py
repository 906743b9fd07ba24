"""R-M7-01 / R-M7-03: masking functions and which reveal needs the department head's grant."""
import pytest

from apps.estates import masking
from apps.estates.roster import id_number_problem
from apps.estates.tests.conftest import VALID_ID, id_with_check


@pytest.mark.parametrize(("raw", "shown"), [
    ("13812345678", "138****5678"),
    ("+86 138 1234 5678", "138****5678"),
    ("0755-83211234", "0755****1234"),
    ("83211234", "****1234"),
    ("12345", "***45"),
    ("", ""),
    (None, ""),
])
def test_r_m7_01_phone_masking(raw, shown):
    assert masking.mask_phone(raw) == shown


def test_r_m7_01_id_name_and_plate_masking():
    assert masking.mask_id_number("110101199003071234") == "1101**********1234"
    assert masking.mask_id_number("E1234567") == "E******7"
    assert masking.mask_name("张三丰") == "张**"
    assert masking.mask_name("李") == "李*"
    assert masking.mask_plate("粤B12345") == "粤B****5"


def test_r_m7_01_masked_value_never_contains_the_middle_digits():
    for phone in ("13812345678", "15900000000", "18688889999"):
        assert phone[3:7] not in masking.mask_phone(phone)[3:7]


def test_r_m7_01_contact_fields_of_ordinary_owner_need_no_grant_but_id_and_vehicles_do():
    assert not masking.reveal_need({"name", "phone", "phone2"}, is_vip=False).grant_required
    assert masking.reveal_need({"phone", "id_number"}, is_vip=False).grant_required
    assert masking.reveal_need({"vehicles"}, is_vip=False).grant_required
    assert masking.reveal_need(set(), is_vip=False, bulk=True).grant_required


def test_r_m7_03_vip_data_always_needs_a_grant():
    need = masking.reveal_need({"phone"}, is_vip=True)
    assert need.grant_required and "VIP" in need.why


def test_id_number_check_digit():
    assert id_number_problem(VALID_ID) is None
    assert id_number_problem(id_with_check("11010119900307123")) is None
    assert id_number_problem("110101199003071235") == "身份证号码校验位不正确"
    assert id_number_problem("110101199002301234") == "身份证号码中的出生日期不正确"
    assert id_number_problem("E12345678") is None  # passport
