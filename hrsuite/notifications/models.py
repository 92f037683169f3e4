from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    DANGER = "danger", _("Urgent")
    SUCCESS = "success", _("Done")


class Notification(models.Model):
    """An in-app message to one user, optionally also sent by e-mail.

    The text is stored as its English source (`message`, marked with gettext_noop where it is
    written) plus parameters, and translated when shown, so each reader sees their language.
    `key` makes sending idempotent: the same reminder for the same user is stored once.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200)
    message = models.CharField(max_length=500)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.INFO)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    send_email = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key"),
            models.CheckConstraint(condition=models.Q(level__in=Level.values), name="notification_level_valid"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        translated = gettext(self.message)
        if not self.params:
            return translated
        params = dict(self.params)
        for key in params.pop("_i18n", []):
            params[key] = gettext(params.get(key, ""))
        try:
            return translated % params
        except (KeyError, TypeError, ValueError):
            return translated


class SentEmail(models.Model):
    """One e-mail that must go out at most once (to a candidate, a new employee): the unique key
    decides, not the cache. See hrsuite.notifications.services.send_once."""

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "sent e-mail"

    def __str__(self) -> str:
        return self.key
