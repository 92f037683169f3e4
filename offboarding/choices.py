from django.db import models
from django.utils.translation import gettext_lazy as _


class SeparationKind(models.TextChoices):
    RESIGNATION = "resignation", _("Resignation")
    TERMINATION = "termination", _("Termination by the company")
    MUTUAL = "mutual", _("Mutual agreement")
    CONTRACT_END = "contract_end", _("Contract not renewed")


class CaseStatus(models.TextChoices):
    """The case's stage; the moves between them are in workflows.py."""

    SUBMITTED = "submitted", _("Resignation submitted")
    HANDOVER = "handover", _("Handover in progress")
    HEAD_APPROVAL = "head_approval", _("Awaiting department head")
    HR_APPROVAL = "hr_approval", _("Awaiting HR")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ItemKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer basic information")
    COOPERATION = "cooperation", _("Cooperation status")
    PREFERENCES = "preferences", _("Customer preferences")
    DOCUMENTS = "documents", _("Handover documents")
    GENERAL = "general", _("Work in progress")


class ItemStatus(models.TextChoices):
    TODO = "todo", _("To fill in")
    SUBMITTED = "submitted", _("Awaiting review")
    RETURNED = "returned", _("Sent back")
    CONFIRMED = "confirmed", _("Confirmed")


class EventKind(models.TextChoices):
    CASE_OPENED = "case_opened", _("Case opened")
    RESIGNATION = "resignation", _("Resignation submitted")
    CHECKLIST = "checklist", _("Checklist created")
    ITEM_SAVED = "item_saved", _("Item saved")
    ITEM_SUBMITTED = "item_submitted", _("Item submitted")
    ITEM_RETURNED = "item_returned", _("Item sent back")
    ITEM_CONFIRMED = "item_confirmed", _("Item confirmed")
    ATTACHMENT = "attachment", _("File attached")
    READY_FOR_APPROVAL = "ready_for_approval", _("Checklist complete, sent to the department head")
    SENT_BACK = "sent_back", _("Sent back to the handover")
    HEAD_APPROVED = "head_approved", _("Approved by the department head")
    HR_APPROVED = "hr_approved", _("Approved by HR")
    COMPLETED = "completed", _("Case completed")
    CANCELLED = "cancelled", _("Case cancelled")
    REVOCATION_SCHEDULED = "revocation_scheduled", _("Access revocation scheduled")
    ACCESS_REVOKED = "access_revoked", _("Access revoked")
    EXIT_INTERVIEW = "exit_interview", _("Exit interview sent")
    SETTLEMENT = "settlement", _("Final settlement saved")
    COMMENT = "comment", _("Comment")
