"""HR's exam pages (hrsuite.manage_training): question banks and their questions, the Excel
import of questions, exams, and each exam's results with a per-question difficulty table and
an Excel export. Each view checks the permission, binds a form, calls one service."""

from __future__ import annotations

import io
import secrets
import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Avg, Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrsuite.audit.services import audit_export
from hrsuite.excel import XLSX_CONTENT_TYPE, workbook_response
from hrsuite.permissions import require_perm
from hrsuite.uploads import private_path

from .. import grading, importing, selectors, services
from ..forms import (
    AttemptFilter,
    BankFilter,
    BankForm,
    ExamFilter,
    ExamForm,
    ImportForm,
    QuestionFilter,
    QuestionForm,
    add_service_errors,
    choice_formset,
    choices_from,
)
from ..models import AttemptStatus, Exam, ExamAttempt, Question, QuestionBank, QuestionKind
from .review import attempt_review, duration_text, taker_name

PERM = "hrsuite.manage_training"
SESSION_KEY = "exam_question_imports"
TOKEN_TTL_SECONDS = 3600
MAX_ERRORS_SHOWN = 200


def _page(request, queryset):
    return Paginator(queryset, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))


# --- question banks --------------------------------------------------------------------------


@require_GET
@require_perm(PERM)
def bank_list(request):
    f = BankFilter(request.GET, queryset=selectors.banks_with_counts())
    return render(
        request,
        "exams/manage/bank_list.html",
        {"filter": f, "page_obj": _page(request, f.qs), "page_title": _("Question banks")},
    )


def _bank_form_page(request, bank: QuestionBank | None):
    form = BankForm(request.POST or None, instance=bank)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.bank_save(bank=form.instance)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The question bank %(name)s was saved.") % {"name": saved.name})
            return redirect("exams:bank_detail", pk=saved.pk)
    return render(
        request,
        "exams/manage/simple_form.html",
        {
            "form": form,
            "page_title": _("Edit question bank") if bank else _("New question bank"),
            "back_url": reverse("exams:bank_detail", args=[bank.pk]) if bank else reverse("exams:banks"),
            "intro": _("A bank holds questions on one subject. Exams draw their questions from a bank at random."),
        },
    )


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def bank_create(request):
    return _bank_form_page(request, None)


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def bank_edit(request, pk: int):
    return _bank_form_page(request, get_object_or_404(QuestionBank, pk=pk))


@require_GET
@require_perm(PERM)
def bank_detail(request, pk: int):
    bank = get_object_or_404(selectors.banks_with_counts(), pk=pk)
    f = QuestionFilter(request.GET, queryset=selectors.bank_questions(bank))
    counts = dict(bank.questions.filter(is_active=True).values_list("kind").annotate(n=Count("pk")))
    return render(
        request,
        "exams/manage/bank_detail.html",
        {
            "bank": bank,
            "filter": f,
            "page_obj": _page(request, f.qs),
            "kind_counts": [(label, counts.get(kind, 0)) for kind, label in QuestionKind.choices],
            "exams": bank.exams.order_by("title"),
            "kinds": QuestionKind.choices,
            "page_title": bank.name,
        },
    )


# --- questions -------------------------------------------------------------------------------


def _question_form_page(request, bank: QuestionBank, question: Question | None):
    kind = request.GET.get("kind", "") if question is None else question.kind
    if kind not in QuestionKind.values:
        kind = QuestionKind.SINGLE
    initial = {"kind": kind} if question is None else None
    form = QuestionForm(request.POST or None, instance=question, initial=initial)
    formset = choice_formset(request.POST or None, question=question, kind=kind)
    choice_errors: list[str] = []
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            target = form.instance
            target.bank = bank
            try:
                saved = services.question_save(question=target, choices=choices_from(formset))
            except ValidationError as exc:
                choice_errors = add_service_errors(form, exc)
            else:
                messages.success(request, _("The question was saved."))
                if "add_another" in request.POST:
                    return redirect(f"{reverse('exams:question_create', args=[bank.pk])}?kind={saved.kind}")
                return redirect("exams:bank_detail", pk=bank.pk)
    used = services.question_attempt_count(question) if question else 0
    return render(
        request,
        "exams/manage/question_form.html",
        {
            "form": form,
            "formset": formset,
            "choice_errors": choice_errors,
            "bank": bank,
            "question": question,
            "used": used,
            "page_title": _("Edit question") if question else _("New question"),
        },
    )


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def question_create(request, pk: int):
    return _question_form_page(request, get_object_or_404(QuestionBank, pk=pk), None)


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def question_edit(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("bank"), pk=pk)
    return _question_form_page(request, question.bank, question)


@require_POST
@require_perm(PERM)
def question_delete(request, pk: int):
    question = get_object_or_404(Question, pk=pk)
    try:
        services.question_delete(question=question)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("exams:question_edit", pk=pk)
    messages.success(request, _("The question was deleted."))
    return redirect("exams:bank_detail", pk=question.bank_id)


@require_POST
@require_perm(PERM)
def question_active(request, pk: int):
    question = get_object_or_404(Question, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.question_set_active(question=question, active=active)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The question is active again: new attempts may draw it.")
            if active
            else _("The question was deactivated: new attempts no longer draw it; past results keep it."),
        )
    return redirect("exams:question_edit", pk=pk)


# --- Excel import ----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def bank_import(request, pk: int):
    bank = get_object_or_404(QuestionBank, pk=pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        plan = importing.parse_and_validate(upload, bank=bank)
        if plan.file_error:
            form.add_error("file", plan.file_error)
        else:
            token = _keep(request, upload, plan, bank) if plan.is_valid else ""
            return _import_preview(request, bank, plan, token)
    return render(
        request,
        "exams/manage/import_upload.html",
        {
            "form": form,
            "bank": bank,
            "max_rows": importing.MAX_ROWS,
            "columns": [
                (importing.header(k), k in importing.REQUIRED) for k in ("kind", "text", "a", "correct", "points")
            ],
            "page_title": _("Import questions"),
        },
    )


@never_cache
@require_POST
@require_perm(PERM)
def bank_import_confirm(request, pk: int):
    bank = get_object_or_404(QuestionBank, pk=pk)
    stored = _take(request, request.POST.get("token", ""))
    expired = _("This import has expired or has already been done; upload the file again.")
    if stored is None or stored.get("bank") != bank.pk:
        messages.error(request, expired)
        return redirect("exams:bank_import", pk=bank.pk)
    path = stored["path"]
    try:
        with default_storage.open(path, "rb") as fileobj:
            plan = importing.parse_and_validate(fileobj, bank=bank, filename=stored["name"])
        if not plan.is_valid:
            messages.error(request, _("The file no longer passes the checks; nothing was imported."))
            return _import_preview(request, bank, plan, "")
        try:
            summary = services.bank_import(bank=bank, plan=plan, actor=request.user, request=request)
        except (ValidationError, IntegrityError):
            messages.error(request, _("Other changes got in the way; nothing was imported. Upload the file again."))
            return redirect("exams:bank_import", pk=bank.pk)
    except FileNotFoundError:
        messages.error(request, expired)
        return redirect("exams:bank_import", pk=bank.pk)
    finally:
        default_storage.delete(path)
    messages.success(
        request,
        _("Import done: %(created)s questions added, %(skipped)s already in the bank skipped.")
        % {"created": summary.created, "skipped": summary.skipped},
    )
    return redirect("exams:bank_detail", pk=bank.pk)


@require_GET
@require_perm(PERM)
def bank_template(request):
    buffer = io.BytesIO()
    importing.build_template(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = _("questions-template") + ".xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"questions-template.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "no-store"
    return response


def _import_preview(request, bank: QuestionBank, plan: importing.ImportPlan, token: str):
    return render(
        request,
        "exams/manage/import_preview.html",
        {
            "bank": bank,
            "plan": plan,
            "token": token,
            "errors": plan.errors[:MAX_ERRORS_SHOWN],
            "errors_hidden": max(len(plan.errors) - MAX_ERRORS_SHOWN, 0),
            "preview_rows": plan.preview_rows(),
            "letters": services.LETTERS,
            "page_title": _("Check the import"),
        },
    )


def _keep(request, upload, plan: importing.ImportPlan, bank: QuestionBank) -> str:
    """Store a checked file privately and return the one-time token naming it in this session."""
    tokens = _prune(request.session.get(SESSION_KEY, {}))
    upload.seek(0)
    path = default_storage.save(private_path("imports", "xlsx"), upload)
    token = secrets.token_urlsafe(24)
    tokens[token] = {"path": path, "name": plan.filename, "bank": bank.pk, "at": time.time()}
    request.session[SESSION_KEY] = tokens
    return token


def _take(request, token: str) -> dict | None:
    tokens = request.session.get(SESSION_KEY, {})
    stored = tokens.pop(token, None) if token else None
    request.session[SESSION_KEY] = _prune(tokens)
    if stored is None:
        return None
    if time.time() - stored.get("at", 0) > TOKEN_TTL_SECONDS:
        default_storage.delete(stored["path"])
        return None
    return stored


def _prune(tokens: dict) -> dict:
    now = time.time()
    kept = {}
    for token, stored in tokens.items():
        if now - stored.get("at", 0) > TOKEN_TTL_SECONDS:
            default_storage.delete(stored["path"])
        else:
            kept[token] = stored
    return kept


# --- exams -----------------------------------------------------------------------------------


@require_GET
@require_perm(PERM)
def exam_list(request):
    f = ExamFilter(request.GET, queryset=selectors.exams_with_stats())
    return render(
        request,
        "exams/manage/exam_list.html",
        {"filter": f, "page_obj": _page(request, f.qs), "page_title": _("Exams")},
    )


def _exam_form_page(request, exam: Exam | None):
    initial = {}
    if exam is None and request.GET.get("bank", "").isdigit():
        initial["bank"] = int(request.GET["bank"])
    form = ExamForm(request.POST or None, instance=exam, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.exam_save(exam=form.instance)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The exam %(title)s was saved.") % {"title": saved.title})
            return redirect("exams:exams")
    return render(
        request,
        "exams/manage/exam_form.html",
        {
            "form": form,
            "exam": exam,
            "courses": list(exam.courses.order_by("code")) if exam else [],
            "page_title": _("Edit exam %(title)s") % {"title": exam.title} if exam else _("New exam"),
        },
    )


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def exam_create(request):
    return _exam_form_page(request, None)


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def exam_edit(request, pk: int):
    return _exam_form_page(request, get_object_or_404(Exam, pk=pk))


def _summary(exam: Exam) -> dict:
    graded = Q(status__in=selectors.GRADED)
    summary = ExamAttempt.objects.filter(exam=exam).aggregate(
        attempts=Count("pk", filter=graded),
        passed=Count("pk", filter=graded & Q(passed=True)),
        in_progress=Count("pk", filter=Q(status=AttemptStatus.IN_PROGRESS)),
        takers=Count("employee", filter=graded, distinct=True),
        candidates=Count("pk", filter=graded & Q(employee__isnull=True)),
        average=Avg("score", filter=graded),
    )
    summary["takers"] += summary["candidates"]  # each candidate's attempt is its own taker
    attempts, passed, average = summary["attempts"], summary["passed"], summary["average"]
    summary["pass_rate_text"] = f"{grading.round_percent(grading.HUNDRED * passed / attempts)}%" if attempts else "—"
    summary["average_text"] = f"{grading.round_percent(average)}%" if average is not None else "—"
    return summary


@never_cache
@require_GET
@require_perm(PERM)
def exam_results(request, pk: int):
    exam = get_object_or_404(Exam.objects.select_related("bank"), pk=pk)
    f = AttemptFilter(request.GET, queryset=selectors.exam_attempts(exam))
    summary = _summary(exam)
    return render(
        request,
        "exams/manage/exam_results.html",
        {
            "exam": exam,
            "filter": f,
            "page_obj": _page(request, f.qs),
            "summary": summary,
            "stats": grading.question_stats(selectors.graded_papers(exam)),
            "export_url": reverse("exams:exam_results_export", args=[exam.pk]),
            "page_title": _("Results of %(title)s") % {"title": exam.title},
        },
    )


@require_GET
@require_perm(PERM)
def exam_results_export(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    f = AttemptFilter(request.GET, queryset=selectors.exam_attempts(exam))
    attempts = f.qs
    status_labels = dict(AttemptStatus.choices)

    def attempt_rows():
        for a in attempts.iterator(chunk_size=500):
            yield [
                taker_name(a),
                a.employee.employee_no if a.employee else "",
                a.employee.department.name if a.employee and a.employee.department else "",
                a.number,
                status_labels.get(a.status, a.status),
                a.started_at,
                a.submitted_at,
                duration_text(a),
                a.points if a.score is not None else None,
                a.max_points if a.score is not None else None,
                a.score,
                "" if a.passed is None else (_("Yes") if a.passed else _("No")),
            ]

    kinds = dict(QuestionKind.choices)
    stats = grading.question_stats(selectors.graded_papers(exam))
    question_rows = (
        [s.question, kinds.get(s.kind, s.kind), s.text, s.drawn, s.correct, s.unanswered, s.share] for s in stats
    )
    sheets = [
        (
            _("Attempts"),
            [_("Taker"), _("Employee no."), _("Department"), _("Attempt"), _("Status"), _("Started"),
             _("Submitted"), _("Duration"), _("Points earned"), _("Possible points"), _("Score (%)"), _("Passed")],
            attempt_rows(),
        ),
        (
            _("Questions"),
            [_("Question no."), _("Kind"), _("Question"), _("Drawn"), _("Correct answers"), _("Unanswered"),
             _("Correct (%)")],
            question_rows,
        ),
    ]  # fmt: skip
    response, rows = workbook_response(sheets, _("exam-results") + f"-{exam.pk}")
    audit_export(request, ExamAttempt, name=f"exam results: {exam.title}", rows=rows, filters=request.GET.urlencode())
    return response


@never_cache
@require_GET
@require_perm(PERM)
def attempt_detail(request, pk: int):
    attempt = get_object_or_404(ExamAttempt.objects.select_related("exam", "employee", "employee__department"), pk=pk)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        attempt = services.attempt_expire_if_overdue(attempt=attempt, now=timezone.now())
    review = attempt_review(attempt)
    return render(
        request,
        "exams/manage/attempt_detail.html",
        {
            "attempt": attempt,
            "review": review,
            "correct_count": sum(1 for q in review if q.is_correct),
            "taker": taker_name(attempt),
            "page_title": _("Attempt %(number)s of %(taker)s")
            % {"number": attempt.number, "taker": taker_name(attempt)},
        },
    )
