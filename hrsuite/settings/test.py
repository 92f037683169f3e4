"""Settings for `make test`: the real PostgreSQL and Redis, fast password hashing, no real mail."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, CACHES, DATABASES, env

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnop"  # noqa: S105
FIELD_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWZlcm5ldC1rZXktMDEyMzQ1Njc4OSE="]
BLIND_INDEX_KEY = "test-blind-index-key"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["NAME"] = env("TEST_DATABASE_NAME", default="hrsuite")
# each xdist worker gets its own Redis database so cache and broker state never cross
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_redis_db = env.int("TEST_REDIS_DB", default=2 + int(_worker.removeprefix("gw") or 0) * 2)
REDIS_BASE = env("REDIS_URL", default="redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
CACHES["default"]["LOCATION"] = f"{REDIS_BASE}/{_redis_db}"
CACHES["default"]["KEY_PREFIX"] = f"hrsuite-test-{_worker}"
CELERY_BROKER_URL = f"{REDIS_BASE}/{_redis_db + 1}"
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = BASE_DIR / "var" / "test-private" / _worker
HRSUITE_BACKUP_DIR = BASE_DIR / "var" / "test-backups" / _worker
AXES_FAILURE_LIMIT = 5
LANGUAGE_CODE = "zh-hans"
