from django.db.models import QuerySet

from .models import AuditEntry


def audit_entries() -> QuerySet[AuditEntry]:
    """Only HR administrators read the audit log (checked in the view); it is not per-person data."""
    return AuditEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")


def entries_for_object(obj) -> QuerySet[AuditEntry]:
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(obj)
    return audit_entries().filter(content_type=ct, object_pk=str(obj.pk))


def entries_by_actor(user, since=None) -> QuerySet[AuditEntry]:
    qs = audit_entries().filter(actor=user)
    if since is not None:
        qs = qs.filter(timestamp__gte=since)
    return qs
