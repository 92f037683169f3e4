"""Onboarding pages and ticking tasks: who sees which checklist, who ticks which task, required
training done when the course is completed, query budget of the list."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from recruiting.choices import TaskKind, TaskOwner
from recruiting.models import OnboardingTask
from recruiting.services_onboarding import hire
from tests.recruiting.test_hire import accepted_offer, courses  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_hire(make_application, hiring, people, courses):  # noqa: F811
    app = accepted_offer(make_application, hiring, people)
    return hire(application=app, actor=people["users"]["hr"])


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _task(employee, owner, kind=None):
    qs = OnboardingTask.objects.filter(employee=employee, owner=owner)
    qs = qs.filter(kind=kind) if kind else qs.exclude(kind=TaskKind.TRAINING)
    return qs.first()


@pytest.mark.parametrize(
    ("role", "list_code", "detail_code"),
    [
        ("hr", 200, 200),
        ("manager", 200, 200),  # the hiring manager, and the new hire's manager
        ("other_manager", 200, 404),
        ("employee", 403, 403),
        (None, 302, 302),
    ],
)
def test_onboarding_pages_permissions(new_hire, client_for, role, list_code, detail_code):
    c = client_for(role)
    listing = c.get(reverse("recruiting:onboarding"))
    assert listing.status_code == list_code
    if list_code == 200:
        names = [e.name for e in listing.context["page_obj"]]
        assert names == ([] if role == "other_manager" else [new_hire.name])
    assert c.get(reverse("recruiting:onboarding_detail", args=[new_hire.pk])).status_code == detail_code


def test_the_new_employee_sees_only_their_own_checklist(new_hire, people):
    c = _client(new_hire.user)
    page = c.get(reverse("myonboarding:list"))
    assert page.status_code == 200
    assert {t.employee_id for t in page.context["mine"] + page.context["others"]} == {new_hire.pk}
    assert all(t.owner == TaskOwner.EMPLOYEE for t in page.context["mine"])
    assert c.get(reverse("recruiting:onboarding")).status_code == 403
    assert c.get(reverse("recruiting:onboarding_detail", args=[new_hire.pk])).status_code == 403
    # someone else's own page shows their (empty) checklist, never the new hire's
    other = _client(people["users"]["other_employee"]).get(reverse("myonboarding:list"))
    assert other.status_code == 200 and other.context["total"] == 0
    assert "training" in page.content.decode() or "/me/training/" in page.content.decode()


def test_who_ticks_what(new_hire, people):
    hr, manager = _client(people["users"]["hr"]), _client(people["users"]["manager"])
    me, other = _client(new_hire.user), _client(people["users"]["other_employee"])
    other_manager = _client(people["users"]["other_manager"])
    hr_task, mgr_task = _task(new_hire, TaskOwner.HR), _task(new_hire, TaskOwner.MANAGER)
    own_task = _task(new_hire, TaskOwner.EMPLOYEE)

    def tick(c, task):
        return c.post(reverse("recruiting:onboarding_task_done", args=[task.pk]), {"done": "1"})

    assert tick(hr, mgr_task).status_code == 403  # HR ticks HR tasks only
    assert tick(manager, hr_task).status_code == 403
    assert tick(me, hr_task).status_code == 403
    assert tick(other, own_task).status_code == 404  # cannot even see it
    assert tick(other_manager, mgr_task).status_code == 404
    assert not OnboardingTask.objects.filter(done_at__isnull=False).exists()

    assert tick(hr, hr_task).status_code == 302
    assert tick(manager, mgr_task).status_code == 302
    response = tick(me, own_task)
    assert response.status_code == 302 and response.url == reverse("myonboarding:list")
    done = OnboardingTask.objects.filter(done_at__isnull=False)
    assert {(t.pk, t.done_by_id) for t in done} == {
        (hr_task.pk, people["users"]["hr"].pk),
        (mgr_task.pk, people["users"]["manager"].pk),
        (own_task.pk, new_hire.user_id),
    }
    # reopen
    me.post(reverse("recruiting:onboarding_task_done", args=[own_task.pk]), {"done": "0"})
    own_task.refresh_from_db()
    assert own_task.done_at is None and own_task.done_by is None


def test_training_task_done_when_course_completed(new_hire, people):
    from training.models import Enrollment
    from training.services import enrollment_complete

    task = _task(new_hire, TaskOwner.EMPLOYEE, TaskKind.TRAINING)
    me = _client(new_hire.user)
    response = me.post(reverse("recruiting:onboarding_task_done", args=[task.pk]), {"done": "1"}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    task.refresh_from_db()
    assert task.done_at is None
    page = me.get(reverse("myonboarding:list"))
    assert not next(t for t in page.context["mine"] if t.pk == task.pk).is_done
    enrollment_complete(enrollment=Enrollment.objects.get(employee=new_hire, course=task.course))
    page = me.get(reverse("myonboarding:list"))
    assert next(t for t in page.context["mine"] if t.pk == task.pk).is_done
    listing = _client(people["users"]["hr"]).get(reverse("recruiting:onboarding"))
    row = listing.context["page_obj"][0]
    assert row.tasks_done == 1 and row.tasks_total == OnboardingTask.objects.filter(employee=new_hire).count()


def test_overdue_and_state_filters(new_hire, people):
    from datetime import timedelta

    from django.utils import timezone

    OnboardingTask.objects.filter(pk=_task(new_hire, TaskOwner.HR).pk).update(
        due_on=timezone.localdate() - timedelta(days=2)
    )
    c = _client(people["users"]["hr"])
    assert c.get(reverse("recruiting:onboarding"), {"state": "overdue"}).context["page_obj"][0].tasks_overdue == 1
    assert len(c.get(reverse("recruiting:onboarding"), {"state": "done"}).context["page_obj"]) == 0
    assert len(c.get(reverse("recruiting:onboarding"), {"q": new_hire.employee_no}).context["page_obj"]) == 1
    assert len(c.get(reverse("recruiting:onboarding"), {"q": "没有这个人"}).context["page_obj"]) == 0
    detail = c.get(reverse("recruiting:onboarding_detail", args=[new_hire.pk]))
    assert "badge text-bg-danger" in detail.content.decode()


def test_onboarding_list_query_budget(make_application, hiring, people, client_for, django_assert_max_num_queries):
    hiring.requisition.headcount = 10
    hiring.requisition.save()
    for i in range(2):
        hire(
            application=accepted_offer(make_application, hiring, people, name=f"新人{i}", email=f"n{i}@example.com"),
            actor=people["users"]["hr"],
        )
    c = client_for("hr")
    with django_assert_max_num_queries(15) as few:
        assert len(c.get(reverse("recruiting:onboarding")).context["page_obj"]) == 2
    for i in range(2, 7):
        hire(
            application=accepted_offer(make_application, hiring, people, name=f"新人{i}", email=f"n{i}@example.com"),
            actor=people["users"]["hr"],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(c.get(reverse("recruiting:onboarding")).context["page_obj"]) == 7


def test_welcome_resend(new_hire, people, client_for, django_capture_on_commit_callbacks):
    from django.core import mail

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("hr").post(reverse("recruiting:onboarding_welcome_resend", args=[new_hire.pk]))
    assert response.status_code == 302 and len(mail.outbox) == 1
    assert (
        client_for("manager").post(reverse("recruiting:onboarding_welcome_resend", args=[new_hire.pk])).status_code
        == 403
    )
