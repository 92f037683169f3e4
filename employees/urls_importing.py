"""URLs of the Excel import and export of employees (views in views/importing.py)."""

urlpatterns: list = []
