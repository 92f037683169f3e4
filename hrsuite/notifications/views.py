from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import services
from .models import Notification


@login_required
def notification_list(request):
    qs = Notification.objects.filter(recipient=request.user)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request, "notifications/list.html", {"page_obj": page, "only_unread": bool(request.GET.get("unread"))}
    )


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark one notification read and go where it points (only to a path on this site)."""
    n = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if n is None:
        return redirect("notifications:list")
    services.mark_read(user=request.user, notification_id=n.pk)
    target = n.url if n.url.startswith("/") and not n.url.startswith("//") else ""
    return redirect(target or "notifications:list")


@login_required
@require_POST
def notification_mark_all_read(request):
    services.mark_read(user=request.user)
    return redirect("notifications:list")
