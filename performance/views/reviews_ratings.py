"""The rating table (HR): each rating's meaning, rank, payroll performance coefficient, raise
guideline and the calibration guideline share."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hrsuite.core.refusals import add_service_errors
from hrsuite.permissions import require_perm

from .. import services
from ..forms_reviews import RatingLevelForm
from ..models import RatingLevel
from .reviews import MANAGE


@require_GET
@require_perm(MANAGE)
def ratings(request):
    levels = list(RatingLevel.objects.order_by("rank"))
    shares = [level.guideline_share for level in levels if level.is_active and level.guideline_share is not None]
    return render(
        request,
        "performance/rating_table.html",
        {
            "levels": levels,
            "guideline_total": sum(shares) if shares else None,
            "page_title": _("Rating table"),
        },
    )


@require_perm(MANAGE)
def rating_edit(request, pk: int | None = None):
    level = get_object_or_404(RatingLevel, pk=pk) if pk else None
    title = _("Edit the rating “%(code)s”") % {"code": level.code} if level else _("New rating")
    form = RatingLevelForm(request.POST or None, instance=level)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.rating_level_save(level=form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The rating “%(code)s” was saved.") % {"code": saved.code})
            return redirect("performance:ratings")
    return render(request, "performance/rating_form.html", {"form": form, "level": level, "page_title": title})
