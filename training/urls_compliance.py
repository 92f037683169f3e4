"""URLs of qualification compliance (certificates, matrix, report)."""

urlpatterns: list = []
