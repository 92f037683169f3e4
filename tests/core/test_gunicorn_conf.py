"""The gunicorn worker hook: after it, the framework lies outside the garbage collector's walks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import gc, sys
import django
django.setup()
import hrsuite.gunicorn_conf as conf
before = gc.get_freeze_count()
conf.post_worker_init(None)
import relations.views.engagement  # a view module: loaded by the hook through the URLconf
frozen = gc.get_freeze_count()
print(before, frozen, len(gc.get_objects()))
"""


def test_the_worker_hook_loads_the_views_and_freezes_what_is_loaded():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hrsuite.settings.test"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    before, frozen, left = (int(x) for x in out.stdout.split())
    assert before == 0
    assert frozen > 100_000  # Django, the apps, their views and the catalogues
    assert left < frozen / 10  # what a collection still walks is a small remainder
