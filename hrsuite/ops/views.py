from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hrsuite.permissions import require_perm

from .health import health


@never_cache
def healthz(request):
    ok, body = health()
    return JsonResponse(body, status=200 if ok else 503)


@require_perm("hrsuite.view_jobs")
def health_page(request):
    ok, body = health()
    return render(request, "ops/health.html", {"ok": ok, "health": body, "page_title": _("System health")})
