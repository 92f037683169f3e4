"""The public careers page (namespace "careers", /careers/): open positions, one position,
the application form and its thank-you page. No login. Only postings in
recruiting.selectors.public_postings() are shown; a candidate never sees a score, another
candidate or anything internal (requisition, budget, keywords)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from .. import selectors, services_postings
from ..choices import PostingStatus
from ..forms_postings import ApplyForm
from ..models import JobPosting

logger = logging.getLogger(__name__)

PAGE_SIZE = 12


def _once_public(pk: int) -> JobPosting:
    """A posting that is or was on the careers page (a draft was never public: 404)."""
    posting = (
        JobPosting.objects.filter(pk=pk, status__in=[PostingStatus.PUBLISHED, PostingStatus.CLOSED])
        .select_related("requisition__department")
        .first()
    )
    if posting is None:
        raise Http404
    return posting


def _closed(request, posting: JobPosting):
    return render(
        request,
        "recruiting/careers/closed.html",
        {"posting": posting, "page_title": _("This position is no longer accepting applications.")},
        status=410,
    )


def posting_list(request):
    qs = selectors.public_postings()
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(location__icontains=q)
            | Q(description__icontains=q)
            | Q(requisition__department__name__icontains=q)
        )
    page = Paginator(qs.order_by("-published_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "recruiting/careers/list.html",
        {"page_obj": page, "q": q, "total": page.paginator.count, "page_title": _("Careers")},
    )


def posting_detail(request, pk: int):
    posting = get_object_or_404(selectors.public_postings(), pk=pk)
    return render(request, "recruiting/careers/detail.html", {"posting": posting, "page_title": posting.title})


@never_cache
@csrf_protect
def apply(request, pk: int):
    posting = _once_public(pk)
    if not selectors.public_postings().filter(pk=pk).exists():
        return _closed(request, posting)
    form = ApplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_spam:  # a bot filled the hidden field: look successful, keep nothing
            logger.info("careers: honeypot filled for posting %s", pk)
            return redirect("careers:thanks", pk=pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services_postings.application_submit(
                    posting=posting,
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    source=data["source"],
                    cover_letter=data["cover_letter"],
                    resume=data["resume"],
                    consent=data["consent"],
                    now=timezone.now(),
                )
            except ValidationError as exc:
                if getattr(exc, "code", None) == "closed":
                    return _closed(request, posting)
                if hasattr(exc, "error_dict"):
                    for name, errs in exc.message_dict.items():
                        form.add_error(name if name in form.fields else None, errs)
                else:
                    form.add_error(None, exc.messages)
            else:
                return redirect("careers:thanks", pk=pk)
    return render(
        request,
        "recruiting/careers/apply.html",
        {"posting": posting, "form": form, "page_title": _("Apply: %(title)s") % {"title": posting.title}},
        status=400 if request.method == "POST" else 200,
    )


def thanks(request, pk: int):
    posting = _once_public(pk)
    return render(
        request,
        "recruiting/careers/thanks.html",
        {"posting": posting, "page_title": _("Thank you for applying")},
    )
