"""Certificate status, computed from dates when read (never stored, never stale)."""

from __future__ import annotations

from datetime import date

from .choices import CertificateStatus


def certificate_status(expires_on: date | None, day: date, expiring_within_days: int = 30) -> str:
    """valid / expiring (within N days, the day itself included) / expired (after the expiry date)."""
    if expires_on is None:
        return CertificateStatus.VALID
    left = (expires_on - day).days
    if left < 0:
        return CertificateStatus.EXPIRED
    if left <= expiring_within_days:
        return CertificateStatus.EXPIRING
    return CertificateStatus.VALID
