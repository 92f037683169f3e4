"""Settings for `make run` on a developer's or evaluator's machine (plain HTTP on localhost)."""

from .base import *  # noqa: F403
from .base import SECRET_KEY

if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY is not set: run `make run` (it writes .env) or copy .env.example to .env")
