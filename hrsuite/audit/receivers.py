"""Sign-in events into the audit log (a decoupled concern, so a signal is the right tool)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditEvent
from .services import audit_record


@receiver(user_logged_in, dispatch_uid="audit_login")
def on_login(sender, request, user, **kwargs):
    audit_record(event=AuditEvent.LOGIN, request=request, actor=user, obj=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(event=AuditEvent.LOGOUT, request=request, actor=user, obj=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    User = get_user_model()
    known = User.objects.filter(username=username).only("pk").first()
    audit_record(
        event=AuditEvent.LOGIN_FAILED,
        request=request,
        model=User,
        object_pk=str(known.pk) if known else "",
        object_repr=username,
        details={"username": username, "known_user": bool(known)},
    )
