"""Fixtures shared by the security tests.

`world` (tests/security/world.py) is built once per module that asks for it, inside an outer
transaction rolled back at the end of the module. A test of such a module keeps the world's
MEDIA_ROOT (where the world stored its private files) instead of the suite's per-test one; every
other test gets the suite's fixture unchanged."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests import conftest as suite
from tests.security.world import fixture_function, world_scope


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from world_scope(django_db_blocker, tmp_path_factory.mktemp("world-media"))


@pytest.fixture(autouse=True)
def _clean_cache_and_media(request):
    """The suite's per-test fixture (a fresh MEDIA_ROOT, the cache cleared), except for a test of
    the shared world: its private files stay where the world put them; the cache is still cleared."""
    if "world" in request.fixturenames:
        cache.clear()
        yield
        cache.clear()
    else:
        yield from fixture_function(suite._clean_cache_and_media)(request, request.getfixturevalue("tmp_path"))
