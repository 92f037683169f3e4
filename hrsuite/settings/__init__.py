"""Settings: base (shared), dev (make run), test (make test), prod (deployments)."""
