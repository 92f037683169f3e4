"""Courses for HR (catalogue, sessions, materials, requirements, enrolments and attendance),
the manager's team training page, and the employee's own training at /me/training/."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from employees import selectors as employee_selectors
from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_record
from hrsuite.core.refusals import flash_refusal
from hrsuite.permissions import require_perm

from .. import selectors, services
from ..choices import CourseMode, EnrollmentSource, EnrollmentStatus
from ..forms import CourseForm, EnrollForm, MaterialForm, RequirementForm, SessionForm
from ..models import Course, CourseMaterial, CourseRequirement, CourseSession, Enrollment

PERM = "hrsuite.manage_training"


@require_perm(PERM)
def course_list(request):
    qs = selectors.courses_with_stats().order_by("code")
    q = request.GET.get("q", "").strip()
    mode = request.GET.get("mode", "")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(code__icontains=q) | Q(category__icontains=q))
    if mode in CourseMode.values:
        qs = qs.filter(mode=mode)
    if request.GET.get("inactive") != "1":
        qs = qs.filter(is_active=True)
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    for c in page:
        c.completion_rate = (c.completed / c.closed) if c.closed else None
    return render(
        request,
        "training/course_list.html",
        {"page_obj": page, "q": q, "mode": mode, "modes": CourseMode.choices, "page_title": _("Courses")},
    )


@require_perm(PERM)
def course_edit(request, pk: int | None = None):
    course = get_object_or_404(Course, pk=pk) if pk else None
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_save(course=form.instance)
        except ValidationError as exc:
            flash_refusal(request, exc, form)
        else:
            messages.success(request, _("The course was saved."))
            return redirect("training:course_detail", pk=course.pk)
    title = _("Edit course") if course else _("New course")
    return render(request, "training/simple_form.html", {"form": form, "page_title": title, "back_url": "/training/"})


@require_perm(PERM)
def course_detail(request, pk: int):
    course = get_object_or_404(Course.objects.select_related("exam", "feedback_survey"), pk=pk)
    status = request.GET.get("status", EnrollmentStatus.ENROLLED)
    enrollments = course.enrollments.select_related("employee", "employee__department", "session").order_by(
        "employee__employee_no"
    )
    if status in EnrollmentStatus.values:
        enrollments = enrollments.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        enrollments = enrollments.filter(Q(employee__name__icontains=q) | Q(employee__employee_no__iexact=q))
    page = Paginator(enrollments, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = {s: course.enrollments.filter(status=s).count() for s in EnrollmentStatus.values}
    return render(
        request,
        "training/course_detail.html",
        {
            "course": course,
            "page_obj": page,
            "status": status,
            "statuses": EnrollmentStatus.choices,
            "counts": counts,
            "q": q,
            "today": timezone.localdate(),
            "sessions": course.sessions.all(),
            "materials": course.materials.all(),
            "requirements": course.requirements.select_related("position", "department"),
            "session_form": SessionForm(),
            "material_form": MaterialForm(),
            "requirement_form": RequirementForm(),
            "enroll_form": EnrollForm(
                employees=employee_selectors.employees_visible_to(request.user).exclude(status="left")
            ),
            "page_title": course.title,
        },
    )


def _back(course_pk, anchor=""):
    return redirect(f"/training/courses/{course_pk}/{anchor}")


@require_POST
@require_perm(PERM)
def session_add(request, pk: int):
    course = get_object_or_404(Course, pk=pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        form.instance.course = course
        try:
            services.session_save(session=form.instance)
            messages.success(request, _("The session was added."))
        except ValidationError as exc:
            flash_refusal(request, exc, form)
    else:
        flash_refusal(request, ValidationError(form.errors), form)
    return _back(pk, "#sessions")


@require_POST
@require_perm(PERM)
def material_add(request, pk: int):
    course = get_object_or_404(Course, pk=pk)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.material_add(
                course=course,
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"],
                upload=form.cleaned_data["file"],
            )
            messages.success(request, _("The material was added."))
        except ValidationError as exc:
            flash_refusal(request, exc, form)
    else:
        flash_refusal(request, ValidationError(form.errors), form)
    return _back(pk, "#materials")


@require_POST
@require_perm(PERM)
def requirement_add(request, pk: int):
    course = get_object_or_404(Course, pk=pk)
    form = RequirementForm(request.POST)
    if form.is_valid():
        form.instance.course = course
        services.requirement_save(requirement=form.instance)
        created = services.required_enrollments()
        messages.success(request, _("The requirement was added; %(n)s people were enrolled.") % {"n": created})
    else:
        flash_refusal(request, ValidationError(form.errors), form)
    return _back(pk, "#requirements")


@require_POST
@require_perm(PERM)
def requirement_delete(request, pk: int, req_pk: int):
    get_object_or_404(CourseRequirement, pk=req_pk, course_id=pk).delete()
    messages.success(request, _("The requirement was removed; existing enrolments stay."))
    return _back(pk, "#requirements")


@require_POST
@require_perm(PERM)
def enroll_people(request, pk: int):
    course = get_object_or_404(Course, pk=pk)
    visible = employee_selectors.employees_visible_to(request.user).exclude(status="left")
    form = EnrollForm(request.POST, employees=visible)
    if form.is_valid():
        people = list(form.cleaned_data["employees"])
        for dept in form.cleaned_data["departments"]:
            people += list(visible.filter(department__path__startswith=dept.path))
        try:
            n = services.enroll_many(
                employees={p.pk: p for p in people}.values(),
                course=course,
                source=EnrollmentSource.HR,
                actor=request.user,
                due_date=form.cleaned_data["due_date"],
            )
            messages.success(request, _("%(n)s people were enrolled.") % {"n": n})
        except ValidationError as exc:
            flash_refusal(request, exc)
    else:
        flash_refusal(request, ValidationError(form.errors), form)
    return _back(pk, "#enrollments")


@require_POST
@require_perm(PERM)
def enrollment_action(request, pk: int, action: str):
    enrollment = get_object_or_404(Enrollment, pk=pk)
    try:
        if action == "attended":
            services.attendance_set(enrollment=enrollment, attended=True)
        elif action == "absent":
            services.attendance_set(enrollment=enrollment, attended=False)
        elif action == "complete":
            services.enrollment_complete(enrollment=enrollment)
        elif action == "no_show":
            services.enrollment_close(enrollment=enrollment, status=EnrollmentStatus.NO_SHOW)
        elif action == "cancel":
            services.enrollment_close(enrollment=enrollment, status=EnrollmentStatus.CANCELLED)
        else:
            raise Http404
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        flash_refusal(request, exc)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = f"/training/courses/{enrollment.course_id}/#enrollments"  # never off the site (issue 11)
    return redirect(back)


@require_perm(PERM, "hrsuite.self_service")
def material_download(request, pk: int):
    """Course materials: HR, or someone enrolled in the course."""
    material = get_object_or_404(CourseMaterial.objects.select_related("course"), pk=pk)
    if not request.user.has_perm(PERM):
        mine = selectors.enrollments_visible_to(request.user).filter(course=material.course)
        if not mine.filter(employee__user=request.user).exists():
            raise Http404
    if not material.file:
        return redirect(material.url)
    audit_record(event=AuditEvent.DOWNLOAD, request=request, obj=material)
    return FileResponse(
        material.file.open("rb"),
        content_type=material.content_type,
        as_attachment=True,
        filename=material.original_name,
    )


# --- the manager's team ---------------------------------------------------------------------


@require_perm("hrsuite.view_my_team")
def team_training(request):
    team = employee_selectors.team_of(request.user).exclude(status="left")
    enrollments = Enrollment.objects.filter(employee__in=team).select_related("employee", "course")
    status = request.GET.get("status", "")
    if status == "overdue":
        enrollments = selectors.overdue(enrollments)
    elif status in EnrollmentStatus.values:
        enrollments = enrollments.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        enrollments = enrollments.filter(Q(employee__name__icontains=q) | Q(course__title__icontains=q))
    page = Paginator(enrollments.order_by("employee__employee_no", "due_date"), settings.HRSUITE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    form = EnrollForm(employees=team)
    form.fields.pop("departments")
    return render(
        request,
        "training/team.html",
        {
            "page_obj": page,
            "status": status,
            "q": q,
            "today": timezone.localdate(),
            "form": form,
            "courses": Course.objects.filter(is_active=True).order_by("title"),
            "overdue_count": selectors.overdue(Enrollment.objects.filter(employee__in=team)).count(),
            "page_title": _("Team training"),
        },
    )


@require_POST
@require_perm("hrsuite.view_my_team")
def team_enroll(request):
    team = employee_selectors.team_of(request.user).exclude(status="left")
    form = EnrollForm(request.POST, employees=team)
    form.fields.pop("departments")
    course = Course.objects.filter(pk=request.POST.get("course"), is_active=True).first()
    if course is None or not form.is_valid() or not form.cleaned_data["employees"]:
        messages.error(request, _("Choose a course and at least one team member."))
        return redirect("training:team")
    try:
        n = services.enroll_many(
            employees=form.cleaned_data["employees"],
            course=course,
            source=EnrollmentSource.MANAGER,
            actor=request.user,
            due_date=form.cleaned_data["due_date"],
        )
        messages.success(request, _("%(n)s people were enrolled.") % {"n": n})
    except ValidationError as exc:
        flash_refusal(request, exc)
    return redirect("training:team")


# --- the employee's own training -------------------------------------------------------------


@require_perm("hrsuite.self_service")
def my_training(request):
    me = employee_selectors.employee_for_user(request.user)
    enrollments = list(selectors.my_enrollments(me.pk))
    today = timezone.localdate()
    return render(
        request,
        "training/me.html",
        {
            "open": [e for e in enrollments if e.status == EnrollmentStatus.ENROLLED],
            "done": [e for e in enrollments if e.status == EnrollmentStatus.COMPLETED],
            "hours": services.hours_of(e for e in enrollments if e.status == EnrollmentStatus.COMPLETED),
            "catalogue": selectors.open_courses_for_self_enrolment(me.pk)[:30],
            "today": today,
            "now": timezone.now(),
            "page_title": _("My training"),
        },
    )


@require_POST
@require_perm("hrsuite.self_service")
def my_enroll(request, pk: int):
    me = employee_selectors.employee_for_user(request.user)
    course = get_object_or_404(Course, pk=pk)
    session = None
    if request.POST.get("session"):
        session = get_object_or_404(CourseSession, pk=request.POST["session"], course=course)
    try:
        services.enroll(employee=me, course=course, source=EnrollmentSource.SELF, actor=request.user, session=session)
        messages.success(request, _("You are enrolled in %(course)s.") % {"course": course.title})
    except ValidationError as exc:
        flash_refusal(request, exc)
    return redirect("mytraining:home")
