"""Onboarding pages: the new hires HR or a manager follows (/recruiting/onboarding/), one new
hire's checklist, ticking a task (owner check in the service), the new employee's own checklist
(/me/onboarding/) and the page where a new employee sets their first password (the link of the
welcome e-mail; no sign-in needed, the token is the proof)."""

from __future__ import annotations

from collections import OrderedDict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from hrsuite.core.forms import StyledFormMixin
from hrsuite.permissions import require_perm
from hrsuite.roles import is_hr

from ..choices import TaskOwner
from ..models import OnboardingTask
from ..services_onboarding import (
    may_tick,
    onboarding_employees_visible_to,
    onboarding_task_set,
    task_is_done,
    tasks_with_state,
    welcome_resend,
)

VIEW = "hrsuite.view_recruiting"
MANAGE = "hrsuite.manage_recruiting"
SELF = "hrsuite.self_service"


def _checklist(employee, user, today):
    """The employee's tasks grouped by owner, each with done / overdue / may-tick flags."""
    tasks = list(
        tasks_with_state(OnboardingTask.objects.filter(employee=employee)).select_related(
            "employee", "application__posting__requisition"
        )
    )
    groups: OrderedDict = OrderedDict((value, {"label": label, "tasks": []}) for value, label in TaskOwner.choices)
    done = 0
    for task in tasks:
        task.is_done = task_is_done(task)
        task.overdue = not task.is_done and task.due_on < today
        task.can_tick = may_tick(task, user)
        done += task.is_done
        groups[task.owner]["tasks"].append(task)
    return tasks, [g for g in groups.values() if g["tasks"]], done


@require_GET
@require_perm(VIEW)
def onboarding(request):
    today = timezone.localdate()
    qs = onboarding_employees_visible_to(request.user, today).order_by("-hire_date", "employee_no")
    q = request.GET.get("q", "").strip()
    state = request.GET.get("state", "")
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(employee_no__iexact=q)
            | Q(department__name__icontains=q)
            | Q(position__title__icontains=q)
        )
    if state == "open":
        qs = qs.filter(tasks_done__lt=F("tasks_total"))
    elif state == "overdue":
        qs = qs.filter(tasks_overdue__gt=0)
    elif state == "done":
        qs = qs.filter(tasks_done=F("tasks_total"))
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "recruiting/onboarding/list.html",
        {"page_obj": page, "q": q, "state": state, "today": today, "page_title": _("Onboarding")},
    )


@require_GET
@require_perm(VIEW)
def onboarding_detail(request, employee_pk: int):
    employee = get_object_or_404(onboarding_employees_visible_to(request.user), pk=employee_pk)
    today = timezone.localdate()
    tasks, groups, done = _checklist(employee, request.user, today)
    application = employee.onboarding_tasks.exclude(application=None).select_related("application").first()
    user = employee.user
    return render(
        request,
        "recruiting/onboarding/detail.html",
        {
            "employee": employee,
            "groups": groups,
            "total": len(tasks),
            "done": done,
            "today": today,
            "application": application.application if application else None,
            "can_resend": bool(
                is_hr(request.user) and user is not None and not (user.has_usable_password() and user.last_login)
            ),
            "page_title": _("Onboarding: %(name)s") % {"name": employee.name},
        },
    )


@require_POST
@require_perm(VIEW, SELF)
def onboarding_task_done(request, pk: int):
    """Tick or untick a task. The owner check is the service's; a task the user may not even see
    is a 404 (not hinting that it exists)."""
    task = get_object_or_404(OnboardingTask.objects.select_related("employee"), pk=pk)
    own = task.employee.user_id == request.user.pk
    followed = (
        request.user.has_perm(VIEW)
        and onboarding_employees_visible_to(request.user).filter(pk=task.employee_id).exists()
    )
    if not (own or followed):
        raise Http404
    done = request.POST.get("done", "1") == "1"
    try:
        onboarding_task_set(task=task, done=done, actor=request.user)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc) or _("You cannot tick this task.")) from exc
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(
            request,
            _("“%(task)s” marked as done.") % {"task": task.title}
            if done
            else _("“%(task)s” reopened.") % {"task": task.title},
        )
    if request.POST.get("next") == "me" or (own and not followed):
        return redirect("myonboarding:list")
    return redirect("recruiting:onboarding_detail", employee_pk=task.employee_id)


@require_POST
@require_perm(MANAGE)
def onboarding_welcome_resend(request, employee_pk: int):
    employee = get_object_or_404(onboarding_employees_visible_to(request.user).select_related("user"), pk=employee_pk)
    try:
        welcome_resend(employee=employee, actor=request.user)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(
            request, _("A new link to set the password was e-mailed to %(email)s.") % {"email": employee.email}
        )
    return redirect("recruiting:onboarding_detail", employee_pk=employee.pk)


# --- self-service -------------------------------------------------------------------------------


@require_GET
@require_perm(SELF)
def my_onboarding(request):
    from employees.selectors import employee_for_user

    employee = employee_for_user(request.user)
    if employee is None:
        raise Http404
    today = timezone.localdate()
    tasks, _groups, done = _checklist(employee, request.user, today)
    mine = [t for t in tasks if t.owner == TaskOwner.EMPLOYEE]
    others = [t for t in tasks if t.owner != TaskOwner.EMPLOYEE]
    return render(
        request,
        "recruiting/onboarding/me.html",
        {
            "employee": employee,
            "mine": mine,
            "others": others,
            "total": len(tasks),
            "done": done,
            "today": today,
            "page_title": _("My onboarding"),
        },
    )


class SetPasswordForm(StyledFormMixin, auth_forms.SetPasswordForm):
    pass


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The welcome e-mail's link: the new employee chooses a password, then signs in."""

    template_name = "recruiting/onboarding/set_password.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False
    reset_url_token = "set-password"  # noqa: S105  (a URL segment, not a secret)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password was set. Sign in with the user name %(name)s.") % {"name": form.user.get_username()},
        )
        return response

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = gettext_lazy("Set your password")
        ctx["login_url"] = reverse("accounts:login")
        return ctx
