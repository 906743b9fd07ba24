"""R-M19-12: the internal directory (phones, extensions, employee numbers) kept up to date on a page and
through /api/v1/staff-records/directory — the 办公室主任 for the company, a 管理处经理 for their projects'
staff, anyone else their own phone and extension."""

from __future__ import annotations

import pytest

from apps.staffrecords.models import DirectoryChange

pytestmark = pytest.mark.django_db


def test_r_m19_12_office_director_keeps_the_directory_on_the_page(client, cast, office, frozen_now):
    client.force_login(office)
    page = client.get("/staff-records/directory/").content.decode()
    assert cast.outsider.display_name in page and cast.front_desk.display_name in page
    assert 'class="cards"' in page and "R-M" not in page
    r = client.post(f"/staff-records/directory/{cast.front_desk.pk}/edit/",
                    {"phone": "138 0000 1234", "extension": "8012", "employee_no": "YG-007"})
    assert r.status_code == 302, r.content.decode()
    cast.front_desk.refresh_from_db()
    assert (cast.front_desk.extension, cast.front_desk.employee_no) == ("8012", "YG-007")
    change = DirectoryChange.objects.get()
    assert change.changed_by == office and change.after["extension"] == "8012" and change.before["extension"] == ""
    assert "8012" in client.get("/staff-records/directory/?q=8012").content.decode()
    r = client.post(f"/staff-records/directory/{cast.front_desk.pk}/edit/", {"phone": "abc", "extension": ""})
    assert r.status_code == 422 and "只能包含数字" in r.content.decode()
    cast.front_desk.refresh_from_db()
    assert cast.front_desk.phone == "138 0000 1234" and DirectoryChange.objects.count() == 1


def test_r_m19_12_project_manager_only_their_projects_and_staff_only_themselves(client, cast, frozen_now):
    client.force_login(cast.project_manager)
    page = client.get("/staff-records/directory/").content.decode()
    assert cast.front_desk.display_name in page and cast.outsider.display_name not in page
    assert client.get(f"/staff-records/directory/{cast.outsider.pk}/edit/").status_code == 404
    client.force_login(cast.butler)
    page = client.get("/staff-records/directory/").content.decode()
    assert page.count('data-testid="directory-row"') == 1
    form = client.get(f"/staff-records/directory/{cast.butler.pk}/edit/").content.decode()
    assert 'name="extension"' in form and 'name="employee_no"' not in form
    assert client.post(f"/staff-records/directory/{cast.butler.pk}/edit/", {"phone": "", "extension": "8100"}
                       ).status_code == 302
    assert client.get(f"/staff-records/directory/{cast.front_desk.pk}/edit/").status_code == 404
    cast.butler.refresh_from_db()
    assert cast.butler.extension == "8100"


def test_r_m19_12_directory_through_the_api(client, cast, office, frozen_now, auth):
    h = auth(office, frozen_now)
    r = client.patch(f"/api/v1/staff-records/directory/{cast.worker.pk}", {"extension": "8200", "employee_no": "W-1"},
                     content_type="application/json", **h)
    assert r.status_code == 200, r.content
    assert r.json()["extension"] == "8200" and r.json()["posts"]
    listing = client.get("/api/v1/staff-records/directory?q=8200", **h).json()
    assert [e["id"] for e in listing] == [cast.worker.pk]
    r = client.patch(f"/api/v1/staff-records/directory/{cast.worker.pk}", {"phone": "x1"},
                     content_type="application/json", **h)
    assert r.status_code == 422 and "phone" in r.json()["error"]["fields"]
    own = auth(cast.worker, frozen_now)
    assert [e["id"] for e in client.get("/api/v1/staff-records/directory", **own).json()] == [cast.worker.pk]
    r = client.patch(f"/api/v1/staff-records/directory/{cast.worker.pk}", {"employee_no": "W-2"},
                     content_type="application/json", **own)
    assert r.status_code == 403
    r = client.patch(f"/api/v1/staff-records/directory/{cast.front_desk.pk}", {"extension": "1"},
                     content_type="application/json", **own)
    assert r.status_code == 404
    cast.worker.refresh_from_db()
    assert cast.worker.employee_no == "W-1"


def test_directory_list_query_count(client, cast, office, frozen_now, auth, django_assert_max_num_queries):
    client.force_login(office)
    with django_assert_max_num_queries(12):
        r = client.get("/staff-records/directory/")
    assert r.status_code == 200 and r.content.decode().count('data-testid="directory-row"') >= 10
    h = auth(office, frozen_now)
    with django_assert_max_num_queries(10):
        assert len(client.get("/api/v1/staff-records/directory", **h).json()) >= 10
