"""URLs of the workforce analytics pages (views in views/analytics.py)."""

urlpatterns: list = []
