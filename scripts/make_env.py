#!/usr/bin/env python3
"""Write .env from .env.example with fresh random secrets (only if .env does not exist)."""

import base64
import secrets
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
target = root / ".env"
if target.exists():
    sys.exit(0)
values = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
}
lines = []
for line in (root / ".env.example").read_text(encoding="utf-8").splitlines():
    key = line.split("=", 1)[0]
    if key in values and line.strip() == f"{key}=":
        line = f"{key}={values[key]}"
    lines.append(line)
target.write_text("\n".join(lines) + "\n", encoding="utf-8")
target.chmod(0o600)
print("Wrote .env with new random secrets (keep it private; back up FIELD_ENCRYPTION_KEYS).")
