from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hrsuite.roles import roles_of

from .dashboard import widgets_for


def home(request):
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    return redirect("accounts:login")


@login_required
def dashboard(request):
    roles = roles_of(request.user)
    return render(
        request,
        "core/dashboard.html",
        {"widgets": widgets_for(request), "has_roles": bool(roles), "page_title": _("Dashboard")},
    )


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # no context processors: the error may come from one of them
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render({}))
