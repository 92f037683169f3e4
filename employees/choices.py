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


class RoleFamily(models.TextChoices):
    TECHNOLOGY = "technology", _("Technology")
    PRODUCT = "product", _("Product")
    RISK_CONTROL = "risk_control", _("Risk control")
    COMPLIANCE = "compliance", _("Compliance")
    SALES = "sales", _("Sales")
    OPERATIONS = "operations", _("Operations")
    FUNCTIONS = "functions", _("Functions")


class EducationLevel(models.TextChoices):
    # ordered: the analytics count "master or higher" by this order
    SECONDARY = "secondary", _("Secondary school or below")
    ASSOCIATE = "associate", _("Associate degree")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")


EDUCATION_RANK = {code: i for i, code in enumerate(EducationLevel.values)}


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")
    INTERN = "intern", _("Intern")
    DISPATCHED = "dispatched", _("Dispatched worker")
    RETIREE = "retiree", _("Re-employed retiree")


class ContractKind(models.TextChoices):
    FIXED_TERM = "fixed_term", _("Fixed-term")
    OPEN_ENDED = "open_ended", _("Open-ended")
    TASK_BASED = "task_based", _("Task-based")
    INTERNSHIP = "internship", _("Internship agreement")
    SERVICE = "service", _("Service agreement")


class DocumentKind(models.TextChoices):
    ID_COPY = "id_copy", _("ID card copy")
    DIPLOMA = "diploma", _("Diploma")
    DEGREE = "degree", _("Degree certificate")
    CONTRACT_SCAN = "contract_scan", _("Signed contract")
    OTHER = "other", _("Other")


class ChangeKind(models.TextChoices):
    CONTACT = "contact", _("Phone and address")
    EMERGENCY = "emergency", _("Emergency contact")
    BANK = "bank", _("Bank account")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class LocationKind(models.TextChoices):
    OFFICE = "office", _("Office")
    REMOTE = "remote", _("Remote")
    OVERSEAS = "overseas", _("Overseas")


class WorkforceMetric(models.TextChoices):
    AGE_25_35_SHARE = "age_25_35_share", _("Share aged 25–35")
    MASTER_PLUS_SHARE = "master_plus_share", _("Share with a master's degree or higher")
    AVERAGE_TENURE = "average_tenure", _("Average tenure (years)")
    TURNOVER = "turnover", _("12-month turnover")
