"""Settings shared by every environment. Values come from the environment (see .env.example)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env (written by `make run` from .env.example) is read when present; real environment
# variables win over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # project apps first: their zh_Hans catalogues take priority over third-party ones
    "hrsuite.accounts",
    "hrsuite.audit",
    "hrsuite.notifications",
    "hrsuite.ops",
    "hrsuite.core",
    "employees",
    "payroll",
    "exams",
    "surveys",
    "recruiting",
    "offboarding",
    "performance",
    "relations",
    "training",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "django_htmx",
    "template_partials",
    "django_tables2",
    "django_filters",
    "auditlog",
    "rules",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hrsuite.uploads.RequestSizeLimitMiddleware",  # before anything reads the body
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hrsuite.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "hrsuite.core.middleware.SecurityHeadersMiddleware",
    # axes last: it inspects the response of the login view
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hrsuite.urls"
WSGI_APPLICATION = "hrsuite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hrsuite.core.context_processors.navigation",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    }
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/hrsuite"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default=REDIS_URL.rsplit("/", 1)[0] + "/1"),
        "KEY_PREFIX": "hrsuite",
    }
}

# --- accounts, passwords, sessions ---------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# HR and pay data: a session ends after 30 idle minutes and when the browser closes.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-axes: 5 failures for the same user name from the same address lock it for 30 minutes;
# HR administrators unlock from the user admin page or `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_VERBOSE = False

# --- internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "hrsuite_language"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- static and uploaded files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (ID copies, resumes, certificates) are private: MEDIA_ROOT is outside the
# static tree, no URL maps to it, and every file is served by a view that checks permission.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
# No URL pattern maps MEDIA_URL: the prefix exists only because Django requires one.
MEDIA_URL = "/private-files-are-never-served-directly/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- encryption of personal data -------------------------------------------------------------
# Keys for national ID and bank account fields, separate from SECRET_KEY. The first key encrypts;
# every key in the list decrypts, so a key is rotated by prepending a new one and running
# `manage.py rotate_field_keys`. BLIND_INDEX_KEY keys the HMAC used for exact-match search.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", default="")

# --- e-mail ----------------------------------------------------------------------------------
# EMAIL_URL: consolemail:// (development) or smtp+tls://user:password@smtp.example.com:587
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="hrsuite <hr@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 60 * 60
# Nothing waits for a Celery result: each job's outcome is recorded as a JobRun row (see
# hrsuite/ops/signals.py and /ops/jobs/). Without this, every .delay() from the web process
# subscribes to the Redis result channel, and with Redis down that blocks for about 20 seconds
# and then leaves the process unable to queue anything until it is restarted; with it, queueing
# fails within a second with a clear error that the caller records (a pay run says so).
CELERY_TASK_IGNORE_RESULT = True
# Jobs must neither be lost nor run twice: acknowledge after the work, requeue when a worker dies,
# take one job at a time; every task is idempotent (a unique key in the database decides).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis gives a message that was delivered but not acknowledged to another worker after the
# visibility timeout. That is how the job of a killed worker is not lost, and also how a job
# could run twice: a job still running, or a retry still waiting for its countdown (Redis holds
# retries as delivered, unacknowledged messages), when the timeout passes is delivered again.
# So every task's hard time limit plus its longest retry countdown (retry_backoff_max, 600 s at
# most today) must stay below the visibility timeout: 1 h + 10 min < 2 h.
# tests/ops/test_jobs.py checks every registered task against it. The environment variable
# exists for the reliability tests (a few seconds there); leave it unset in production.
_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _VISIBILITY_TIMEOUT}
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60  # SoftTimeLimitExceeded first, so a job can clean up
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- audit log -------------------------------------------------------------------------------
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_ON_RAW_SAVE = True
# encrypted fields appear in the audit log as their last four characters at most
AUDITLOG_MASK_CALLABLE = "hrsuite.crypto.audit_mask"

# --- product settings ------------------------------------------------------------------------
# empty: the translated demo name "Demo Financial Holdings Co., Ltd." is shown
HRSUITE_COMPANY_NAME = env("COMPANY_NAME", default="")
HRSUITE_PAGE_SIZE = 50
# paths whose requests must leave no trace of who sent them (hrsuite.anonymity): the anonymous
# feedback box's posting and following pages (relations)
HRSUITE_ANONYMOUS_PATHS = ("/me/feedback/new/", "/me/feedback/follow/")
# error reports (hrsuite/error_reports.py): POST fields starred whatever the view (also with a form
# prefix: bank-bank_account) — the employee's Employee.SECRET_FIELDS (a test ties them); long
# numbers are masked to their last four everywhere else in the report (URL, GET, META, locals)
HRSUITE_SECRET_POST_FIELDS = ("national_id", "bank_account")
DEFAULT_EXCEPTION_REPORTER_FILTER = "hrsuite.error_reports.RedactingReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "hrsuite.error_reports.RedactingExceptionReporter"
HRSUITE_BASE_URL = env("BASE_URL", default="http://127.0.0.1:8000")

# --- backups (hrsuite/ops/backups.py; nightly Celery job hrsuite.ops.tasks.nightly_backup) -------
# Each night: pg_dump (custom format) of the database and a tar.gz of MEDIA_ROOT, a .sha256 beside
# each file, a test restore into a scratch database comparing every table's row count and the
# payroll control totals. Only a backup whose restore matched counts as verified.
# BACKUP_DIR: where the files go (created if missing; a relative path is taken from the project
# root). Keep it on another disk, and copy it off the server.
HRSUITE_BACKUP_DIR = BASE_DIR / env("BACKUP_DIR", default=str(BASE_DIR / "var" / "backups"))
# BACKUP_ENCRYPTION_KEY: optional Fernet key(s), comma separated (the first encrypts, all
# decrypt, so a key is rotated by prepending a new one). Empty: backups are not encrypted.
# Keep a copy of the key away from the server: without it the backups cannot be read.
HRSUITE_BACKUP_ENCRYPTION_KEY = env.list("BACKUP_ENCRYPTION_KEY", default=[])
# BACKUP_RETENTION "daily,weekly,monthly": keep the newest backup of each of the 7 most recent
# days, 4 ISO weeks and 12 months that have one; the files of the others are deleted.
HRSUITE_BACKUP_RETENTION = env("BACKUP_RETENTION", default="7,4,12")
# /healthz and the dashboard warn when the last verified backup is older than this.
HRSUITE_BACKUP_MAX_AGE_HOURS = env.int("BACKUP_MAX_AGE_HOURS", default=26)
# BACKUP_PG_BIN_DIR: where pg_dump/pg_restore of the server's major version live, when the ones
# on PATH are another version (Debian: /usr/lib/postgresql/15/bin). Empty: taken from PATH.
HRSUITE_BACKUP_PG_BIN_DIR = env("BACKUP_PG_BIN_DIR", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # at DEBUG it logs whole template contexts (the signed-in user included)
        "django.template": {"level": "INFO"},
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
FORM_RENDERER = "hrsuite.core.forms.FormRenderer"
DJANGO_TABLES2_TEMPLATE = "components/table.html"

# django-auditlog's own migrations create its default log table even when the model is swapped
# for audit.AuditEntry; that unused table would only hold foreign keys. Its migrations are off.
MIGRATION_MODULES = {"auditlog": None}
HRSUITE_BANK_CHANGE_DAYS = env.int("BANK_CHANGE_DAYS", default=30)
HRSUITE_COLLABORATION_BONUS_INPUT = env("COLLABORATION_BONUS_INPUT", default="协作奖金")
