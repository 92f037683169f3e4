"""Database constraint helpers shared by the apps' models."""

from django.db.models import Q


def one_of(field: str, choices) -> Q:
    """A CheckConstraint condition: `field` holds one of the values of a TextChoices class."""
    return Q(**{f"{field}__in": choices.values})
