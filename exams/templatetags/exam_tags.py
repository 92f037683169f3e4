"""Template helpers of the exam pages."""

from django import template

from ..models import QuestionKind
from ..services import LETTERS
from ..views.review import duration_text

register = template.Library()


@register.filter
def letter(index) -> str:
    """0 -> A, 1 -> B ... (the answers' labels)."""
    try:
        return LETTERS[int(index)]
    except (IndexError, TypeError, ValueError):
        return ""


@register.filter
def kind_label(code) -> str:
    try:
        return str(QuestionKind(code).label)
    except ValueError:
        return ""


@register.filter
def duration(attempt) -> str:
    """The time an attempt took, as 12:05 (empty while in progress)."""
    return duration_text(attempt)
