"""URLs of a finalised run's pay files and of an employee's pay history (included in payroll/urls.py)."""

from django.urls import path

from .views import exports, history

urlpatterns: list = [
    path("runs/<int:pk>/export/register/", exports.export_register, name="export_register"),
    path("runs/<int:pk>/export/bank/", exports.export_bank, name="export_bank"),
    path("runs/<int:pk>/export/tax/", exports.export_tax, name="export_tax"),
    path("runs/<int:pk>/export/contributions/", exports.export_contributions, name="export_contributions"),
    path("history/<int:pk>/", history.pay_history_page, name="pay_history"),
    path("history/<int:pk>/pdf/", history.pay_history_pdf, name="pay_history_pdf"),
    path("history/<int:pk>/xlsx/", history.pay_history_xlsx, name="pay_history_xlsx"),
]
