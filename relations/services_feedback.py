"""The anonymous feedback box. `feedback_post` deliberately takes no actor: the poster's identity
never reaches this module, so it cannot be stored by mistake (see relations.anonymity for the
logs). HR and the addressed department head reply publicly; HR hides abusive posts with a
reason; the poster follows and answers with their one-time secret."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from employees.models import Department
from hrsuite.notifications.services import NotificationSpec, notify_many
from hrsuite.roles import Role, is_hr, users_with_role
from hrsuite.scoping import scope_for

from .anonymity import new_secret, normalise_secret, secret_hash
from .choices import FeedbackCategory, ReplyAuthor, ThreadStatus
from .models import BODY_MAX, SUBJECT_MAX, FeedbackReply, FeedbackThread


class FeedbackRefused(ValidationError):
    pass


def _clean_text(text: str) -> str:
    """Strip, normalise, and drop control characters other than line breaks and tabs."""
    text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n")).strip()
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def _check_length(field: str, text: str, limit: int, label: str) -> None:
    if not text:
        raise FeedbackRefused({field: _("%(label)s cannot be empty.") % {"label": label}})
    if len(text) > limit:
        raise FeedbackRefused(
            {
                field: _("%(label)s is %(n)s characters long; at most %(limit)s are allowed.")
                % {"label": label, "n": len(text), "limit": limit}
            }
        )


@transaction.atomic
def feedback_post(
    *, category: str, subject: str, body: str, department: Department | None = None, is_public: bool = True
) -> tuple[FeedbackThread, str]:
    """Store a thread and return it with its one-time secret (shown once, stored only hashed)."""
    if category not in FeedbackCategory.values:
        raise FeedbackRefused({"category": _("Choose a category.")})
    subject, body = _clean_text(subject), _clean_text(body)
    _check_length("subject", subject, SUBJECT_MAX, _("The subject"))
    _check_length("body", body, BODY_MAX, _("The feedback"))
    secret = new_secret()
    thread = FeedbackThread.objects.create(
        category=category,
        subject=subject,
        body=body,
        department=department,
        is_public=is_public,
        posted_on=timezone.localdate(),
        secret_hash=secret_hash(secret),
    )
    return thread, secret


def thread_for_secret(secret: str) -> FeedbackThread:
    if len(normalise_secret(secret)) != 16:
        raise FeedbackRefused({"secret": _("A follow-up code has 16 letters and digits, like ABCD-EFGH-JKLM-NPQR.")})
    thread = FeedbackThread.objects.filter(secret_hash=secret_hash(secret)).select_related("department").first()
    if thread is None:
        raise FeedbackRefused({"secret": _("No feedback matches this code. Check it and try again.")})
    return thread


def is_addressed_head(user, thread: FeedbackThread) -> bool:
    """The head of the addressed department (or of a department above it)."""
    if thread.department_id is None:
        return False
    path = thread.department.path
    return any(path.startswith(p) for p in scope_for(user).subtree_paths)


def can_reply(user, thread: FeedbackThread) -> bool:
    return is_hr(user) or is_addressed_head(user, thread)


def _next_seq(thread: FeedbackThread) -> int:
    return (thread.replies.aggregate(m=Max("seq"))["m"] or 0) + 1


def _refuse_if_closed(thread: FeedbackThread) -> None:
    if thread.status == ThreadStatus.CLOSED:
        raise FeedbackRefused(_("This thread is closed."), code="closed")


def _lock(thread: FeedbackThread) -> FeedbackThread:
    return FeedbackThread.objects.select_for_update(of=("self",)).select_related("department").get(pk=thread.pk)


@transaction.atomic
def feedback_reply(*, thread: FeedbackThread, body: str, actor) -> FeedbackReply:
    locked = _lock(thread)
    if not can_reply(actor, locked):
        raise FeedbackRefused(_("Only HR and the addressed department head can reply."), code="permission")
    _refuse_if_closed(locked)
    body = _clean_text(body)
    _check_length("body", body, BODY_MAX, _("The reply"))
    kind = ReplyAuthor.HR if is_hr(actor) else ReplyAuthor.HEAD
    reply = FeedbackReply.objects.create(
        thread=locked, author_kind=kind, author=actor, body=body, posted_on=timezone.localdate(), seq=_next_seq(locked)
    )
    locked.status = ThreadStatus.ANSWERED
    locked.save(update_fields=["status"])
    thread.status = locked.status
    return reply


def poster_may_reply(thread: FeedbackThread) -> bool:
    """Whether the poster may still answer on their thread: not once it is closed or hidden."""
    return thread.status != ThreadStatus.CLOSED and not thread.hidden


@transaction.atomic
def feedback_poster_reply(*, secret: str, body: str) -> FeedbackReply:
    """The poster answers on their thread; like the post, no identity is taken."""
    thread = _lock(thread_for_secret(secret))
    if not poster_may_reply(thread):
        _refuse_if_closed(thread)
        raise FeedbackRefused(_("HR has hidden this thread; it takes no more replies."), code="hidden")
    body = _clean_text(body)
    _check_length("body", body, BODY_MAX, _("The reply"))
    reply = FeedbackReply.objects.create(
        thread=thread, author_kind=ReplyAuthor.POSTER, body=body, posted_on=timezone.localdate(), seq=_next_seq(thread)
    )
    thread.status = ThreadStatus.OPEN
    thread.save(update_fields=["status"])
    return reply


@transaction.atomic
def feedback_hide(*, thread: FeedbackThread, reason: str, actor) -> FeedbackThread:
    if not is_hr(actor):
        raise FeedbackRefused(_("Only HR can hide feedback."), code="permission")
    reason = _clean_text(reason)
    if not reason:
        raise FeedbackRefused({"reason": _("Give the reason for hiding this thread.")})
    locked = _lock(thread)
    locked.hidden, locked.hidden_reason, locked.hidden_by = True, reason[:300], actor
    locked.hidden_on = timezone.localdate()
    locked.save(update_fields=["hidden", "hidden_reason", "hidden_by", "hidden_on"])
    return locked


@transaction.atomic
def feedback_unhide(*, thread: FeedbackThread, actor) -> FeedbackThread:
    if not is_hr(actor):
        raise FeedbackRefused(_("Only HR can hide feedback."), code="permission")
    locked = _lock(thread)
    locked.hidden, locked.hidden_reason, locked.hidden_by, locked.hidden_on = False, "", None, None
    locked.save(update_fields=["hidden", "hidden_reason", "hidden_by", "hidden_on"])
    return locked


@transaction.atomic
def feedback_close(*, thread: FeedbackThread, actor) -> FeedbackThread:
    locked = _lock(thread)
    if not can_reply(actor, locked):
        raise FeedbackRefused(_("Only HR and the addressed department head can reply."), code="permission")
    locked.status = ThreadStatus.CLOSED
    locked.save(update_fields=["status"])
    return locked


@transaction.atomic
def feedback_digest() -> int:
    """Tell HR (all new threads) and each addressed head (theirs) how many threads arrived since the
    last digest. Runs hourly from Celery beat, so no notification is timed with a posting.
    Returns the number of threads reported.

    One transaction: the threads are marked notified together with the notifications being
    stored, so a failure while notifying leaves them to the next run rather than losing them."""
    new = list(
        FeedbackThread.objects.select_for_update(of=("self",)).filter(notified=False).select_related("department")
    )
    if not new:
        return 0
    today = timezone.localdate().isoformat()
    url = reverse("relations:feedback_list")
    batch = min(str(t.pk) for t in new)[:8]
    specs = [
        NotificationSpec(
            recipient_id=user_id,
            key=f"feedback-digest-{today}-{batch}",
            message=gettext_noop("%(n)s new anonymous feedback threads are waiting in the feedback box."),
            params={"n": len(new)},
            url=url,
        )
        for user_id in users_with_role(Role.HR, Role.HR_ADMIN).values_list("pk", flat=True)
    ]
    # each head whose inbox holds the thread: of the addressed department or one above it
    # (as is_addressed_head), so a team without a head of its own still reaches someone
    heads = list(Department.objects.filter(head__user__isnull=False).values_list("path", "head__user_id"))
    per_head: dict[int, set] = {}
    for thread in new:
        if thread.department is None:
            continue
        for path, user_id in heads:
            if thread.department.path.startswith(path):
                per_head.setdefault(user_id, set()).add(thread.pk)
    specs.extend(
        NotificationSpec(
            recipient_id=user_id,
            key=f"feedback-digest-head-{today}-{batch}",
            message=gettext_noop("%(n)s new anonymous feedback threads are addressed to your department."),
            params={"n": len(threads)},
            url=url,
        )
        for user_id, threads in per_head.items()
    )
    notify_many(specs)
    FeedbackThread.objects.filter(pk__in=[t.pk for t in new]).update(notified=True)
    return len(new)
