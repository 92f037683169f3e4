import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from hrsuite.ops import health
from hrsuite.ops.tasks import beat_heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_is_503_without_workers(client, monkeypatch):
    monkeypatch.setattr(health, "check_workers", lambda redis_ok: health.Check(ok=False, detail="no worker answered"))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["celery_workers"]["ok"] is False
    assert "backup" in body["checks"]


def test_healthz_reports_redis_down(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


def test_beat_heartbeat_marks_beat_alive():
    assert health.check_beat(True).ok is False
    beat_heartbeat()
    check = health.check_beat(True)
    assert check.ok and check.age_seconds < 5


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_healthz_is_200_with_a_real_worker(client):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hrsuite.settings.test",
        "TEST_DATABASE_NAME": connection.settings_dict["NAME"],
        "PYTEST_XDIST_WORKER": os.environ.get("PYTEST_XDIST_WORKER", "gw0"),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hrsuite", "worker", "--pool", "solo", "-l", "WARNING",
         "--hostname", f"healthz-{os.getpid()}@%h", "--without-mingle", "--without-gossip"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.time() + 30
        while time.time() < deadline and not health.check_workers(True).ok:
            time.sleep(0.5)
        beat_heartbeat()
        response = client.get(reverse("healthz"))
        body = json.loads(response.content)
        assert body["checks"]["celery_workers"]["ok"] is True
        assert response.status_code == 200
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def test_health_page_for_admins(client_for):
    page = client_for("hr_admin").get(reverse("ops:health_page"))
    assert page.status_code == 200
    assert "数据库（PostgreSQL）" in page.text
