"""The offboarding demo: one case in each state (items in every state with a real attachment, one
awaiting the demo manager, one completed with access revoked and the exit interview answered, one
where the demo employee reviews items), customer accounts concentrated on a few people, and
idempotent (a second call adds nothing)."""

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from hrsuite.audit.models import AuditEntry, AuditEvent
from offboarding import demo
from offboarding.models import (
    CaseEvent,
    CustomerAccount,
    HandoverAttachment,
    HandoverItem,
    HandoverTemplate,
    SeparationCase,
)
from offboarding.selectors import cases_visible_to, items_visible_to
from surveys.models import SurveyResponse

pytestmark = pytest.mark.django_db


def _counts():
    return tuple(
        m.objects.count()
        for m in (HandoverTemplate, CustomerAccount, SeparationCase, HandoverItem, HandoverAttachment, CaseEvent)
    )


def test_offboarding_demo_is_believable_and_idempotent(django_capture_on_commit_callbacks, monkeypatch):
    from django.contrib.auth import get_user_model

    from hrsuite.core.management.commands import seed_demo

    # the other seeders first; this one is called below to read what it made
    monkeypatch.setattr(seed_demo, "SEEDERS", [s for s in seed_demo.SEEDERS if s != "offboarding.demo"])
    call_command("seed_demo", employees=60)
    with django_capture_on_commit_callbacks(execute=True):
        result = demo.seed()
    first = _counts()
    assert demo.seed() == {"skipped": "offboarding demo data exists"}
    assert _counts() == first

    cases = result["cases"]
    statuses = dict(SeparationCase.objects.values_list("pk", "status"))
    assert {statuses[cases[k]] for k in cases} == {"submitted", "handover", "head_approval", "hr_approval", "completed"}
    assert HandoverTemplate.objects.filter(name__in=["客户经理交接清单", "通用交接清单"]).count() == 2

    # items in every state, a comment on the returned one, a real file
    handover = SeparationCase.objects.get(pk=cases["handover"])
    assert set(handover.items.values_list("status", flat=True)) == {"todo", "submitted", "returned", "confirmed"}
    assert CaseEvent.objects.filter(case=handover, kind="item_returned").exclude(comment="").exists()
    attachment = HandoverAttachment.objects.filter(item__case=handover).first()
    assert attachment and default_storage.open(attachment.file.name).read(5) == b"%PDF-"

    # the demo manager sees the case awaiting them; the demo employee reviews items
    User = get_user_model()
    manager, employee = User.objects.get(username="manager"), User.objects.get(username="employee")
    assert cases_visible_to(manager).filter(pk=cases["head_approval"]).exists()
    review = items_visible_to(employee).filter(case_id=cases["successor_review"], status="submitted")
    assert review.count() >= 1

    # completed: access revoked through the service, the exit interview answered, activity logged
    done = SeparationCase.objects.select_related("employee__user").get(pk=cases["completed"])
    assert done.revoked_at is not None and done.revocation["login_disabled"]
    assert not done.employee.user.is_active and done.employee.status == "left"
    assert SurveyResponse.objects.filter(survey=done.exit_survey).count() == 1
    assert AuditEntry.objects.filter(actor=done.employee.user, event=AuditEvent.EXPORT).count() == 2
    assert not CustomerAccount.objects.filter(owner=done.employee).exists()

    # key accounts concentrated on a few people
    key_owners = list(CustomerAccount.objects.filter(is_key=True).values_list("owner_id", flat=True))
    top = max(key_owners.count(o) for o in set(key_owners))
    assert len(key_owners) >= 10 and top >= 5
