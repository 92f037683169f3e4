from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    HEADQUARTERS = "hq", _("Headquarters")
    BRANCH = "branch", _("Branch")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")
    REMOTE = "remote", _("Remote team")
    OVERSEAS = "overseas", _("Overseas team")


class EmployeeStatus(models.TextChoices):
    PROBATION = "probation", _("Probation")
    ACTIVE = "active", _("Active")
    LEAVING = "leaving", _("Leaving")
    LEFT = "left", _("Left")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
