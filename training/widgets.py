"""Dashboard widgets of the training app (filled in with the pages)."""


def certificate_compliance_widget() -> None:
    """HR's summary of required certificates: expiring, expired and missing (links into the
    matrix) and uploads waiting for verification. Three queries."""
    from django.utils import timezone

    from hrsuite.core import dashboard
    from hrsuite.roles import Role

    def context(request):
        from .choices import CertificateStatus, VerificationStatus
        from .models import EmployeeCertificate, TrainingSettings
        from .selectors_qualifications import company_counts

        window = TrainingSettings.current().expiring_within_days
        counts = company_counts(today=timezone.localdate(), window=window)
        shown = (CertificateStatus.EXPIRING, CertificateStatus.EXPIRED, CertificateStatus.MISSING)
        return {
            "counts": [(s, counts.get(s, 0)) for s in shown],
            "pending": EmployeeCertificate.objects.filter(verification=VerificationStatus.PENDING).count(),
            "window": window,
        }

    dashboard.register(
        "training.certificates",
        template="training/widgets/certificates.html",
        roles={Role.HR, Role.HR_ADMIN},
        context=context,
        order=30,
    )


def register_widgets() -> None:
    certificate_compliance_widget()
