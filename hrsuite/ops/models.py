"""Operations records: every backup with its verification, and every run of a background job."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BackupStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    VERIFIED = "verified", _("Verified")
    FAILED = "failed", _("Failed")
    PRUNED = "pruned", _("Removed by retention")


class BackupRun(models.Model):
    """One backup: the database dump (pg_dump custom format) and the uploaded files, their
    SHA-256 checksums, and the result of restoring the dump into a scratch database and comparing
    every table's row count and the payroll control totals with the source. Only a backup whose
    restore matched is "verified"; anything else is "failed" with the reason."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=BackupStatus.choices, default=BackupStatus.RUNNING)
    dump_path = models.CharField(_("database dump"), max_length=500, blank=True)
    dump_sha256 = models.CharField(max_length=64, blank=True)
    dump_bytes = models.BigIntegerField(default=0)
    media_path = models.CharField(_("files archive"), max_length=500, blank=True)
    media_sha256 = models.CharField(max_length=64, blank=True)
    media_bytes = models.BigIntegerField(default=0)
    encrypted = models.BooleanField(_("encrypted"), default=False)
    dump_seconds = models.FloatField(null=True, blank=True)
    restore_seconds = models.FloatField(_("measured restore time (s)"), null=True, blank=True)
    tables_checked = models.PositiveIntegerField(default=0)
    rows_checked = models.BigIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)  # counts, control totals, mismatches
    error = models.TextField(_("error"), blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=BackupStatus.values), name="backup_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"


class JobStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    RETRYING = "retrying", _("Retrying")


class JobRun(models.Model):
    """One execution of a background job (recorded from Celery's task signals)."""

    task_id = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("job"), max_length=200, db_index=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.RUNNING)
    result = models.TextField(_("result"), blank=True)
    error = models.TextField(_("error"), blank=True)
    worker = models.CharField(max_length=200, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        indexes = [models.Index(fields=["name", "-started_at"])]
        constraints = [models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="jobrun_status_valid")]

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def duration(self):
        return (self.finished_at - self.started_at) if self.finished_at else None
