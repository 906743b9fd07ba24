"""Error pages in Chinese (and English), inside the site's frame."""
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import path


def _forbidden(request):
    raise PermissionDenied


def _boom(request):
    raise RuntimeError("boom")


from linli.urls import urlpatterns as _site  # noqa: E402

urlpatterns = [path("forbidden/", _forbidden), path("boom/", _boom), *_site]


def test_404_page(cast, client):
    client.login(username="desk", password="pw-Linli-2026")
    r = client.get("/no-such-page/")
    assert r.status_code == 404 and "页面不存在" in r.content.decode() and "返回首页" in r.content.decode()


@override_settings(ROOT_URLCONF="linli.tests.test_error_pages")
def test_403_and_500_pages(db, client):
    r = client.get("/forbidden/")
    assert r.status_code == 403 and "没有权限" in r.content.decode()
    client.raise_request_exception = False
    r = client.get("/boom/")
    assert r.status_code == 500 and "系统出错了" in r.content.decode()


def test_health_check_answers_without_login(db, client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["ok"] is True
