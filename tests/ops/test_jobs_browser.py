"""An HR administrator opens the background jobs page from the navigation in a real browser,
reads the last runs, runs a job now and sees its run at the top of the recent runs."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hrsuite.ops import jobs as registry
from hrsuite.ops.models import JobRun, JobStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "var/screenshots"


def seed_runs():
    now = timezone.now()
    history = [
        (
            "offboarding.jobs.revoke_due_access",
            JobStatus.SUCCEEDED,
            1,
            "{'revoked': [12], 'skipped': [], 'failed': []}",
            "",
        ),
        ("training.tasks.certificate_reminders", JobStatus.SUCCEEDED, 3, "{'due': 41, 'notifications': 37}", ""),
        (
            "offboarding.tasks.handover_reminders",
            JobStatus.FAILED,
            2,
            "",
            "OperationalError: connection to server lost",
        ),
        ("hrsuite.ops.tasks.nightly_backup", JobStatus.SUCCEEDED, 95, "'backup 7 verified'", ""),
        ("payroll.tasks.render_payslip_batch", JobStatus.SUCCEEDED, 31, "200", ""),
    ]
    for i, (name, status, seconds, result, error) in enumerate(history):
        started = now - timedelta(hours=2 + i)
        JobRun.objects.create(
            task_id=f"seed-{i}",
            name=name,
            started_at=started,
            finished_at=started + timedelta(seconds=seconds),
            status=status,
            result=result,
            error=error,
            worker="worker@hrsuite:4711",
        )


def test_hr_admin_reads_the_last_runs_and_runs_a_job_now(page, live_server, login, people):
    seed_runs()
    login(page, "hr_admin")
    page.locator('a.nav-link[href="/ops/jobs/"]').click()
    page.wait_for_url("**/ops/jobs/")
    table = page.get_by_test_id("jobs-table")
    expect(table.locator("tbody tr")).to_have_count(len(registry.jobs()))
    handover = table.locator('tr[data-job="handover-reminders"]')
    expect(handover.get_by_test_id("job-state")).to_have_class(re.compile(r"text-bg-danger"))
    expect(handover).to_contain_text("OperationalError: connection to server lost")
    backup = table.locator('tr[data-job="nightly-backup"]')
    expect(backup.get_by_test_id("job-state")).to_have_class(re.compile(r"text-bg-success"))
    expect(backup).to_contain_text("01:30")

    contract = table.locator('tr[data-job="contract-end-reminders"]')
    contract.get_by_test_id("run-now").click()
    page.wait_for_url("**/ops/jobs/")
    expect(page.locator(".alert-success")).to_be_visible()
    first = page.get_by_test_id("job-runs").locator("tbody tr").first
    expect(first).to_contain_text(people["users"]["hr_admin"].username)
    expect(first.get_by_test_id("job-state")).to_have_class(re.compile(r"text-bg-success"))
    run = JobRun.objects.get(name="employees.tasks.contract_end_reminders")
    assert run.status == JobStatus.SUCCEEDED and run.triggered_by == people["users"]["hr_admin"]
    page.screenshot(path=f"{SCREENSHOTS}/ops-jobs.png", full_page=True)
