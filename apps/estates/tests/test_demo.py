"""The demo company (issue 2 item 6): deterministic, every role, ~1,500 households."""
from django.core.management import call_command

from apps.estates import demo
from apps.estates.models import Household, Person
from apps.org.models import Membership
from apps.org.roles import Role


def test_demo_company_has_every_role_and_about_1500_households(db):
    counts = demo.load_demo(seed=7)
    assert 1400 <= counts["households"] <= 1700
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert Person.objects.filter(phone_tail="").count() == 0
    first = list(Household.objects.order_by("pk").values_list("label", flat=True)[:3])
    assert first[0] == "1栋1单元101"


def test_demo_is_deterministic_for_a_seed(django_db_blocker, db):
    demo.load_demo(seed=7)
    names = list(Person.objects.order_by("pk").values_list("name", "phone")[:50])
    Membership.objects.all().delete()
    from apps.estates.models import Building, Unit
    from apps.org.models import Company, Department, Project, User
    for model in (Person, Household, Unit, Building, Department, Project, Company, User):
        model.objects.all().delete()
    demo.load_demo(seed=7)
    assert list(Person.objects.order_by("pk").values_list("name", "phone")[:50]) == names


def test_load_demo_if_empty_is_a_no_op_the_second_time(db, capsys):
    call_command("load_demo", "--if-empty", "--seed", "3")
    before = Household.objects.count()
    call_command("load_demo", "--if-empty")
    assert Household.objects.count() == before
    call_command("print_demo_logins")
    assert "desk_yg" in capsys.readouterr().out
