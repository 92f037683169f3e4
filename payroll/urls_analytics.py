"""URLs of the pay analytics and market data pages (views in views/analytics.py). Included in
payroll/urls.py, so the names are payroll:pay_analytics and so on."""

from django.urls import path

from .views import analytics

urlpatterns: list = [
    path("analytics/", analytics.pay_analytics, name="pay_analytics"),
    path("analytics/export/", analytics.pay_analytics_export, name="pay_analytics_export"),
    path("analytics/market/", analytics.market_list, name="market_list"),
    path("analytics/market/import/", analytics.market_import, name="market_import"),
    path("analytics/market/import/confirm/", analytics.market_import_confirm, name="market_import_confirm"),
    path("analytics/market/template/", analytics.market_template, name="market_template"),
]
