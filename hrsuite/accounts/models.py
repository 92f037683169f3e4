from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. The person behind it is an `employees.Employee` (its `user` field); roles are
    groups named in `hrsuite.roles`."""

    language = models.CharField(
        _("preferred language"),
        max_length=10,
        default="zh-hans",
        help_text=_("Language of e-mails sent to this user."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
