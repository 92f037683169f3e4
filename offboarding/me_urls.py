"""Self-service handover pages (namespace "myhandover", /me/handover/)."""

app_name = "myhandover"

urlpatterns: list = []
