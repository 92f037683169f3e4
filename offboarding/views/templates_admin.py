"""Handover checklist templates (HR): the list and the editor with its items inline."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hrsuite.core.refusals import add_service_errors
from hrsuite.permissions import require_perm

from ..forms_cases import TemplateForm, TemplateItemFormSet
from ..models import HandoverTemplate
from ..services_cases import template_save

MANAGE = "hrsuite.manage_offboarding"


@require_GET
@require_perm(MANAGE)
def templates(request):
    rows = (
        HandoverTemplate.objects.select_related("position", "department")
        .annotate(
            n_items=Count("items", distinct=True),
            n_uploads=Count("items", filter=Q(items__attachment_required=True), distinct=True),
        )
        .order_by("-is_active", "name")
    )
    return render(
        request, "offboarding/templates_admin/list.html", {"templates": rows, "page_title": _("Handover templates")}
    )


@require_perm(MANAGE)
def template_edit(request, pk: int | None = None):
    template = get_object_or_404(HandoverTemplate, pk=pk) if pk else HandoverTemplate()
    data = request.POST if request.method == "POST" else None
    form = TemplateForm(data, instance=template)
    formset = TemplateItemFormSet(data, instance=template, prefix="items")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items = formset.save(commit=False)
        try:
            saved = template_save(
                template=form.save(commit=False), items=items, delete=formset.deleted_objects, actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The template “%(name)s” was saved.") % {"name": saved.name})
            return redirect("offboarding:template_edit", pk=saved.pk)
    title = _("Edit the template “%(name)s”") % {"name": template.name} if pk else _("New handover template")
    return render(
        request,
        "offboarding/templates_admin/form.html",
        {"form": form, "formset": formset, "template_obj": template, "page_title": title},
    )
