"""A test-only task for the real-worker tests (imported by hrsuite.settings.worker_test): it
writes its result as a notification whose key is unique per recipient (the database decides, as
for every reminder job), then keeps working for a while, so a test can kill the worker after the
write and before the acknowledgement."""

import time

from celery import shared_task


@shared_task(name="tests.ops.tasks_for_tests.slow_notify", ignore_result=True)
def slow_notify(user_id: int, key: str, seconds: float) -> int:
    from django.contrib.auth import get_user_model

    from hrsuite.notifications.services import notify

    user = get_user_model().objects.get(pk=user_id)
    created = notify(recipients=[user], key=key, message="Test job %(key)s ran.", params={"key": key})
    time.sleep(seconds)
    return len(created)


@shared_task(bind=True, name="tests.ops.tasks_for_tests.flaky", max_retries=3)
def flaky(self, fail_times: int) -> str:
    """Fails (and is retried) `fail_times` times, then succeeds."""
    if self.request.retries < fail_times:
        raise self.retry(exc=ConnectionError("SMTP server unreachable"), countdown=0)
    return "done"
