"""Test settings: the embedded settings with a fast hasher and a test database.

``LINLI_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_ci`` runs the suite on
PostgreSQL (pytest-django creates and drops ``test_<name>``); otherwise SQLite.
"""
import os
from pathlib import Path

os.environ.setdefault("LINLI_MODE", "embedded")
if os.environ.get("LINLI_TEST_DATABASE_URL"):
    os.environ["LINLI_DATABASE_URL"] = os.environ["LINLI_TEST_DATABASE_URL"]
else:
    os.environ.pop("LINLI_DATABASE_URL", None)

from linli.settings import *  # noqa: E402,F403
from linli.settings import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if str(DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": None}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = Path(os.environ.get("TMPDIR", "/tmp")) / "linli-test-media"
LINLI_PRIVATE_ROOT = Path(os.environ.get("TMPDIR", "/tmp")) / "linli-test-private"
LANGUAGE_CODE = "zh-hans"
# The suite's thousands of API calls come from one address and few users: no rate limits, except in the
# throttling tests, which set them with the ``settings`` fixture (apps/api/tests/test_throttling.py).
LINLI_API_THROTTLE_USER = LINLI_API_THROTTLE_IP = "off"
# Page POSTs likewise (apps/core/tests/test_post_throttle.py switches them on).
LINLI_POST_THROTTLE_USER = LINLI_POST_THROTTLE_ANON = LINLI_POST_THROTTLE_IP = "off"
