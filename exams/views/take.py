"""Taking an exam: the paper with a countdown and autosave, the submission, the result.

The four views `exam_take`, `exam_autosave`, `exam_submit` and `exam_result` serve any kind of
taker. A `Taker` says how a request reaches its attempt (`find`, which raises Http404 for an
attempt that is not the requester's), how to name the pages' URLs and which layout to extend.
Employees use `EMPLOYEE` through the guarded views at the bottom (/me/exams/...); recruiting
builds its own Taker for a candidate's token link and calls these views from its own guarded
views, with the same services and templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hrsuite.permissions import require_perm

from .. import selectors, services
from ..models import AttemptStatus, ExamAttempt
from .review import attempt_paper, attempt_review, clock

SELF_SERVICE = "hrsuite.self_service"


@dataclass(frozen=True)
class Taker:
    """How one kind of taker reaches their attempts."""

    # the attempt `key` names, if the request may take it; otherwise raise Http404
    find: Callable[[HttpRequest, Any], ExamAttempt]
    # the URL of "take", "autosave", "submit" or "result" for an attempt
    url: Callable[[str, ExamAttempt], str]
    # the layout the pages extend (it must load static/js/exam-take.js through block extra_js)
    base_template: str = "base.html"
    # where "back" leads (None: no link), and what the link says
    back_url: Callable[[HttpRequest], str] | None = None
    back_label: str | Promise = gettext_lazy("My exams")  # noqa: RUF009  (a lazy string, immutable)


def answers_from(request: HttpRequest, attempt: ExamAttempt) -> dict[str, list[str]]:
    """The answers in a posted paper: field q<question id> holds the chosen choice ids."""
    return {str(item["question"]): request.POST.getlist(f"q{item['question']}") for item in attempt.paper}


def _context(request, attempt: ExamAttempt, taker: Taker, **extra) -> dict:
    return {
        "attempt": attempt,
        "exam": attempt.exam,
        "base_template": taker.base_template,
        "urls": {name: taker.url(name, attempt) for name in ("take", "autosave", "submit", "result")},
        "back_url": taker.back_url(request) if taker.back_url else "",
        "back_label": taker.back_label,
        **extra,
    }


def exam_take(request: HttpRequest, key, *, taker: Taker) -> HttpResponse:
    attempt = taker.find(request, key)
    now = timezone.now()
    if services.is_overdue(attempt, now):
        attempt = services.attempt_expire_if_overdue(attempt=attempt, now=now)
        messages.warning(
            request, _("The time ran out. The attempt was graded on the answers saved before the deadline.")
        )
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect(taker.url("result", attempt))
    remaining = max(0, int((attempt.deadline - now).total_seconds()))
    questions = attempt_paper(attempt)
    context = _context(
        request,
        attempt,
        taker,
        questions=questions,
        remaining=remaining,
        remaining_text=clock(remaining),
        total_points=sum(q.points for q in questions),
        page_title=attempt.exam.title,
    )
    return render(request, "exams/take/take.html", context)


def exam_autosave(request: HttpRequest, key, *, taker: Taker) -> HttpResponse:
    """POST (htmx, every 30 s): store the answers so far; a small status line back."""
    attempt = taker.find(request, key)
    now = timezone.now()
    try:
        services.attempt_save_answers(attempt=attempt, answers=answers_from(request, attempt), now=now)
    except services.AttemptRefused as exc:
        if exc.attempt is not None and exc.attempt.status != AttemptStatus.IN_PROGRESS:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = taker.url("result", attempt)
            return response
        return render(request, "exams/take/_autosave.html", {"error": exc.messages[0]})
    return render(request, "exams/take/_autosave.html", {"saved_at": timezone.localtime(now)})


def exam_submit(request: HttpRequest, key, *, taker: Taker) -> HttpResponse:
    attempt = taker.find(request, key)
    was_open = attempt.status == AttemptStatus.IN_PROGRESS
    try:
        attempt = services.attempt_submit(attempt=attempt, answers=answers_from(request, attempt), now=timezone.now())
    except services.AttemptRefused as exc:
        messages.error(request, exc.messages[0])
        attempt = exc.attempt or attempt
    else:
        if was_open:
            messages.success(request, _("Your answers were submitted and graded."))
        else:
            messages.info(request, _("This attempt had already been submitted; the answers sent again were ignored."))
    return redirect(taker.url("result", attempt))


def exam_result(request: HttpRequest, key, *, taker: Taker) -> HttpResponse:
    attempt = taker.find(request, key)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        attempt = services.attempt_expire_if_overdue(attempt=attempt, now=timezone.now())
        if attempt.status == AttemptStatus.IN_PROGRESS:
            return redirect(taker.url("take", attempt))
    review = attempt_review(attempt)
    context = _context(
        request,
        attempt,
        taker,
        review=review,
        correct_count=sum(1 for q in review if q.is_correct),
        page_title=_("Result of %(title)s") % {"title": attempt.exam.title},
    )
    return render(request, "exams/take/result.html", context)


# --- employees: /me/exams/ -------------------------------------------------------------------


def _my_employee_id(request) -> int:
    from hrsuite.scoping import scope_for

    employee_id = scope_for(request.user).employee_id
    if employee_id is None:
        raise Http404
    return employee_id


def own_attempt(request: HttpRequest, pk) -> ExamAttempt:
    """An employee's own attempt; anyone else's is a 404 (its existence is not revealed)."""
    attempt = (
        ExamAttempt.objects.select_related("exam", "employee")
        .filter(pk=pk, employee_id=_my_employee_id(request))
        .first()
    )
    if attempt is None:
        raise Http404
    return attempt


EMPLOYEE = Taker(
    find=own_attempt,
    url=lambda name, attempt: reverse(f"myexams:{name}", args=[attempt.pk]),
    back_url=lambda request: reverse("myexams:list"),
)


@dataclass
class OpenExam:
    exam: Any
    used: int
    in_progress: ExamAttempt | None
    best: Any
    passed: bool

    @property
    def left(self) -> int:
        return max(0, self.exam.attempts_allowed - self.used)


@never_cache
@require_GET
@require_perm(SELF_SERVICE)
def my_exams(request):
    employee_id = _my_employee_id(request)
    attempts = list(selectors.attempts_of_employee(employee_id))
    now = timezone.now()
    rows = []
    for exam in selectors.exams_open_to(employee_id):
        mine = [a for a in attempts if a.exam_id == exam.pk]
        graded = [a for a in mine if a.status in services.USED_UP]
        # an attempt left open past its time counts as used (it expires when next opened)
        overdue = [a for a in mine if services.is_overdue(a, now)]
        current = next((a for a in mine if a.status == AttemptStatus.IN_PROGRESS and a not in overdue), None)
        scores = [a.score for a in graded if a.score is not None]
        rows.append(
            OpenExam(
                exam, len(graded) + len(overdue), current, max(scores, default=None), any(a.passed for a in graded)
            )
        )
    return render(
        request,
        "exams/me/list.html",
        {"open_exams": rows, "attempts": attempts, "now": now, "page_title": _("My exams")},
    )


@require_POST
@require_perm(SELF_SERVICE)
def my_exam_start(request, exam_pk: int):
    from employees.models import Employee

    employee_id = _my_employee_id(request)
    exam = get_object_or_404(selectors.exams_open_to(employee_id), pk=exam_pk)
    try:
        attempt = services.attempt_start(exam=exam, employee=Employee.objects.get(pk=employee_id), now=timezone.now())
    except services.AttemptRefused as exc:
        messages.error(request, exc.messages[0])
        return redirect("myexams:list")
    return redirect("myexams:take", pk=attempt.pk)


@never_cache
@require_GET
@require_perm(SELF_SERVICE)
def my_exam_take(request, pk: int):
    return exam_take(request, pk, taker=EMPLOYEE)


@require_POST
@require_perm(SELF_SERVICE)
def my_exam_autosave(request, pk: int):
    return exam_autosave(request, pk, taker=EMPLOYEE)


@require_POST
@require_perm(SELF_SERVICE)
def my_exam_submit(request, pk: int):
    return exam_submit(request, pk, taker=EMPLOYEE)


@never_cache
@require_GET
@require_perm(SELF_SERVICE)
def my_exam_result(request, pk: int):
    return exam_result(request, pk, taker=EMPLOYEE)
