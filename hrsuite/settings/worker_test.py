"""Settings of the real Celery worker that tests/ops/test_worker_reliability.py starts.

The test settings (the pytest-django test database, named by TEST_DATABASE_NAME), without eager
mode, with the broker and queue the test passes in the environment, a visibility timeout of a
few seconds (CELERY_VISIBILITY_TIMEOUT, honoured by base.py) and a sweep for unacknowledged
messages every second, so that the message of a killed worker comes back quickly; the test-only
tasks are imported and their runs recorded like a job's.
"""

from .test import *  # noqa: F403
from .test import CELERY_BROKER_TRANSPORT_OPTIONS, env

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
_queue = env("WORKER_TEST_QUEUE")
_visibility = CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    # each test worker keeps its unacknowledged messages apart (xdist workers may share a database)
    "unacked_key": f"unacked:{_queue}",
    "unacked_index_key": f"unacked_index:{_queue}",
    "unacked_mutex_key": f"unacked_mutex:{_queue}",
    "unacked_mutex_expire": 5,  # a worker killed while sweeping must not block the sweep for 5 min
}
# as in production, the time limit stays below the visibility timeout
CELERY_TASK_TIME_LIMIT = max(_visibility - 1, 1)
CELERY_TASK_SOFT_TIME_LIMIT = max(_visibility - 2, 1)
CELERY_TASK_DEFAULT_QUEUE = _queue
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False  # no pidbox: nothing of the test worker outlives it
CELERY_IMPORTS = ["tests.ops.tasks_for_tests"]
HRSUITE_JOBS_RECORD_ALSO = ("tests.ops.tasks_for_tests.slow_notify",)
