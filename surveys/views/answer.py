"""The employee's surveys at /me/surveys/: open invitations, answered and missed ones, and the
answer page. Only invited people may answer, once; the service decides and explains.

Nothing here logs or audits an answer; the answers are kept out of Django's error reports
(sensitive_post_parameters), and an anonymous answer leaves no trace tied to the person."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from employees.selectors import employee_for_user
from hrsuite.permissions import require_perm

from .. import selectors, services
from ..forms import AnswerForm, add_service_errors
from ..models import QuestionKind, Survey
from ..presentation import CLOSED, OPEN, UPCOMING, survey_state

PERM = "hrsuite.self_service"


@require_perm(PERM)
def my_surveys(request):
    employee = employee_for_user(request.user)
    now = timezone.now()
    groups: dict[str, list] = {"open": [], "upcoming": [], "answered": [], "missed": []}
    for invitation in selectors.invitations_for(employee) if employee else []:
        state = survey_state(invitation.survey, now)
        if invitation.is_answered:
            groups["answered"].append(invitation)
        elif state == OPEN:
            groups["open"].append(invitation)
        elif state == UPCOMING:
            groups["upcoming"].append(invitation)
        else:
            groups["missed"].append(invitation)
    groups["answered"].sort(key=lambda i: i.survey.closes_at, reverse=True)
    groups["missed"].sort(key=lambda i: i.survey.closes_at, reverse=True)
    return render(request, "surveys/me/list.html", {**groups, "page_title": _("My surveys")})


def _refused(request, message: str, status: int = 403):
    return render(request, "surveys/me/refused.html", {"message": message, "page_title": _("Survey")}, status=status)


def _own_answers(survey: Survey, invitation) -> list[tuple]:
    response = None if survey.anonymous else selectors.own_response(invitation)
    if response is None:
        return []
    rows = []
    for q in survey.questions.all():
        value = response.answers.get(str(q.pk), "")
        if isinstance(value, list):
            value = "、".join(value)
        rows.append((q, value))
    return rows


@never_cache
@sensitive_variables()  # the answers in any frame of this request, in an error report
@sensitive_post_parameters()  # the answers sent, in an error report
@require_perm(PERM)
def answer(request, pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    employee = employee_for_user(request.user)
    invitation = selectors.invitation_of(survey, employee)
    if invitation is None:
        return _refused(
            request,
            _(
                "You were not invited to this survey, so you cannot answer it. If you think you should have been, ask HR."
            ),
        )
    state = survey_state(survey, timezone.now())
    questions = list(survey.questions.all())
    form = AnswerForm(request.POST or None, questions=questions)
    if request.method == "POST":
        if invitation.is_answered:
            messages.error(request, _("You have already answered this survey round: each person answers once."))
            return redirect("mysurveys:list")
        if form.is_valid():
            try:
                services.respond(survey=survey, employee=employee, answers=form.answers())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your answers were saved."))
                return redirect("mysurveys:list")
    return render(
        request,
        "surveys/me/answer.html",
        {
            "survey": survey,
            "invitation": invitation,
            "form": form,
            "rows": form.rows(),
            "state": state,
            "is_open": state == OPEN,
            "is_closed": state == CLOSED,
            "own_answers": _own_answers(survey, invitation) if invitation.is_answered else [],
            "rating": QuestionKind.RATING,
            "choice": QuestionKind.CHOICE,
            "multiple": QuestionKind.MULTIPLE,
            "page_title": survey.title,
        },
    )
