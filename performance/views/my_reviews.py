"""The employee's own review in self-service: the self-assessment (saved as a draft or
submitted), then, once the results are released, the final rating, the coefficient, the
manager's assessment and the acknowledgement. Only the employee's own review is reachable
(another's is a 404), and the manager's rating stays hidden until the release."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hrsuite.core.refusals import add_service_errors, flash_refusal, perform
from hrsuite.permissions import require_perm

from .. import selectors, services
from ..forms_reviews import AcknowledgeForm, SelfAssessmentForm

SELF = "hrsuite.self_service"


def _own_review(request, pk: int):
    own = selectors.reviews_visible_to(request.user).filter(employee__user=request.user)
    return get_object_or_404(own.select_related("cycle__okr_cycle", "calibrated_by"), pk=pk)


def _self_assess(request, review, form, *, keep_on_form: bool) -> bool:
    """One call of the service; a refusal goes on the form while it is shown, else flashed."""
    submit = request.POST.get("action") == "submit"
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.review_self_assess(
            review=review,
            text=form.cleaned_data["self_assessment"],
            self_rating=form.cleaned_data["rating"],
            submit=submit,
            actor=request.user,
        )
    except ValidationError as exc:
        if not keep_on_form:
            flash_refusal(request, exc, form)
        elif not form.errors:  # a form error is already shown on its field
            add_service_errors(form, exc)
        return False
    if submit:
        messages.success(request, _("Your self-assessment was submitted to your manager."))
    else:
        messages.success(request, _("Your draft was saved; submit it when it is ready."))
    return True


@require_perm(SELF)
def review(request, pk: int):
    user = request.user
    review = _own_review(request, pk)
    cycle = review.cycle
    editable = services.can_self_assess(user, review)
    form = None
    if editable or request.method == "POST":
        initial = {
            "self_assessment": review.self_assessment,
            "rating": review.self_rating.code if review.self_rating_id else "",
        }
        form = SelfAssessmentForm(request.POST or None, initial=initial, scale=selectors.rating_scale())
    if request.method == "POST":
        saved = _self_assess(request, review, form, keep_on_form=editable)
        if saved or not editable:
            return redirect("myperformance:review", pk=review.pk)
    visible = selectors.rating_visible(user, review)
    objectives, completion = selectors.review_okr_summary(user, review)
    can_acknowledge = services.can_acknowledge(user, review)
    return render(
        request,
        "performance/me_review.html",
        {
            "review": review,
            "cycle": cycle,
            "form": form if editable else None,
            "editable": editable,
            "rating_visible": visible,
            "okr_cycle": cycle.okr_cycle,
            "objectives": objectives,
            "completion": completion,
            "can_acknowledge": can_acknowledge,
            "acknowledge_form": AcknowledgeForm() if can_acknowledge else None,
            "page_title": cycle.name,
        },
    )


@require_POST
@require_perm(SELF)
def acknowledge(request, pk: int):
    review = _own_review(request, pk)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        flash_refusal(request, ValidationError(form.errors), form)
    else:
        perform(
            request,
            lambda: services.review_acknowledge(
                review=review, actor=request.user, comment=form.cleaned_data["comment"]
            ),
            success=_("Thank you: you acknowledged your result."),
            form=form,
        )
    return redirect("myperformance:review", pk=review.pk)
