"""Survey pages for HR: the list, a survey with its questions, invitations, results and their
Excel export. Each view checks the permission, binds a form, calls one service or selector."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hrsuite.audit.services import audit_export
from hrsuite.core.refusals import flash_refusal
from hrsuite.permissions import require_perm

from .. import selectors, services
from ..export import results_sheets
from ..forms import (
    InviteDepartmentsForm,
    InviteEmployeesForm,
    QuestionForm,
    SurveyFilter,
    SurveyForm,
    add_service_errors,
)
from ..models import Survey, SurveyQuestion
from ..presentation import results_context, survey_state

PERM = "hrsuite.manage_training"


def _page(request, queryset, param: str = "page"):
    return Paginator(queryset, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get(param))


# --- list -----------------------------------------------------------------------------------


@require_perm(PERM)
def survey_list(request):
    f = SurveyFilter(request.GET, queryset=selectors.surveys_with_counts().order_by("-opens_at", "-pk"))
    page = _page(request, f.qs)
    now = timezone.now()
    for s in page:
        s.state = survey_state(s, now)
    return render(request, "surveys/manage/list.html", {"filter": f, "page_obj": page, "page_title": _("Surveys")})


# --- a survey and its questions -------------------------------------------------------------


def _survey_page(request, survey: Survey | None):
    answered = survey is not None and services.has_responses(survey)
    form = SurveyForm(request.POST or None, survey=survey, answered=answered)
    if request.method == "POST" and form.is_valid():
        target = form.fill(survey or Survey())
        try:
            saved = services.survey_save(survey=target, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if survey is None:
                messages.success(request, _("The survey was created. Add its questions now."))
            else:
                messages.success(request, _("The survey was saved."))
            return redirect("surveys:edit", pk=saved.pk)
    if survey is not None:
        survey.refresh_from_db()
    context = {
        "form": form,
        "survey": survey,
        "answered": answered,
        "questions": list(survey.questions.all()) if survey else [],
        "counts": selectors.invitation_counts(survey) if survey else None,
        "state": survey_state(survey, timezone.now()) if survey else "",
        "page_title": survey.title if survey else _("New survey"),
    }
    return render(request, "surveys/manage/survey_form.html", context)


@require_perm(PERM)
def survey_create(request):
    return _survey_page(request, None)


@require_perm(PERM)
def survey_edit(request, pk: int):
    return _survey_page(request, get_object_or_404(Survey, pk=pk))


def _question_page(request, survey: Survey, question: SurveyQuestion | None):
    form = QuestionForm(request.POST or None, instance=question or SurveyQuestion(survey=survey))
    if request.method == "POST" and form.is_valid():
        try:
            services.question_save(question=form.save_options())
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "options" in exc.error_dict:
                exc = ValidationError({"options_text": exc.error_dict.pop("options"), **exc.error_dict})
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The question was saved."))
            return redirect("surveys:edit", pk=survey.pk)
    return render(
        request,
        "surveys/manage/question_form.html",
        {
            "form": form,
            "survey": survey,
            "question": question,
            "answered": services.has_responses(survey),
            "page_title": _("Edit question") if question else _("New question"),
        },
    )


@require_perm(PERM)
def question_add(request, pk: int):
    return _question_page(request, get_object_or_404(Survey, pk=pk), None)


@require_perm(PERM)
def question_edit(request, pk: int, question_pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    return _question_page(request, survey, get_object_or_404(SurveyQuestion, pk=question_pk, survey=survey))


@require_POST
@require_perm(PERM)
def question_delete(request, pk: int, question_pk: int):
    question = get_object_or_404(SurveyQuestion.objects.select_related("survey"), pk=question_pk, survey_id=pk)
    try:
        services.question_delete(question=question)
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("The question was deleted."))
    return redirect("surveys:edit", pk=pk)


@require_POST
@require_perm(PERM)
def question_move(request, pk: int, question_pk: int):
    question = get_object_or_404(SurveyQuestion.objects.select_related("survey"), pk=question_pk, survey_id=pk)
    try:
        services.question_move(question=question, up=request.POST.get("direction") != "down")
    except ValidationError as exc:
        flash_refusal(request, exc)
    return redirect(reverse("surveys:edit", args=[pk]) + "#questions")


# --- invitations ----------------------------------------------------------------------------


@require_perm(PERM)
def invite(request, pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    by = request.POST.get("by")
    departments_form = InviteDepartmentsForm(request.POST if by == "departments" else None, prefix="d")
    employees_form = InviteEmployeesForm(request.POST if by == "employees" else None, prefix="e")
    bound = departments_form if by == "departments" else employees_form if by == "employees" else None
    if request.method == "POST" and bound is not None and bound.is_valid():
        try:
            if bound is departments_form:
                outcome = services.invite_departments(
                    survey=survey, departments=departments_form.cleaned_data["departments"]
                )
            else:
                outcome = services.invite(survey=survey, employees=employees_form.cleaned_data["numbers"])
        except ValidationError as exc:
            add_service_errors(bound, exc)
        else:
            messages.success(
                request,
                _("Invited now: %(new)s; invited before: %(already)s; skipped because they have left: %(skipped)s.")
                % {"new": outcome.invited, "already": outcome.already, "skipped": outcome.skipped},
            )
            return redirect("surveys:invite", pk=survey.pk)
    return render(
        request,
        "surveys/manage/invite.html",
        {
            "survey": survey,
            "departments_form": departments_form,
            "employees_form": employees_form,
            "counts": selectors.invitation_counts(survey),
            "page_obj": _page(request, selectors.invitations_of(survey)),
            "state": survey_state(survey, timezone.now()),
            "page_title": _("Invite people"),
        },
    )


# --- results --------------------------------------------------------------------------------


def _depth(request) -> int | None:
    value = request.GET.get("depth", "1")
    if value == "all":
        return None
    try:
        return max(0, min(int(value), 10))
    except ValueError:
        return 1


@require_perm(PERM)
def results(request, pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    depth = _depth(request)
    outcome = selectors.survey_results(survey, max_depth=depth)
    context = results_context(survey, outcome)
    context.update(
        {
            "counts": selectors.invitation_counts(survey),
            "depth": "all" if depth is None else str(depth),
            "depth_choices": [("0", "1"), ("1", "2"), ("2", "3"), ("all", _("All levels"))],
            "state": survey_state(survey, timezone.now()),
            "page_title": survey.title,
        }
    )
    return render(request, "surveys/manage/results.html", context)


@require_perm(PERM)
def results_export(request, pk: int):
    from hrsuite.excel import workbook_response

    survey = get_object_or_404(Survey, pk=pk)
    outcome = selectors.survey_results(survey, max_depth=None)
    response, rows = workbook_response(results_sheets(survey, outcome), f"survey-{survey.pk}")
    audit_export(
        request,
        Survey,
        name=_("Results of the survey “%(title)s”") % {"title": survey.title},
        rows=rows,
        filters=f"survey={survey.pk}",
    )
    return response
