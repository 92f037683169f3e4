"""Redis down, for tests: the Celery app of this process publishes to a port where nothing
listens (the real publishing path: kombu connects, retries briefly and raises), not eagerly."""

from __future__ import annotations

from contextlib import contextmanager

CLOSED = "redis://127.0.0.1:1/0"  # port 1: connection refused


@contextmanager
def broker_down():
    from hrsuite.celery import app

    keys = ("task_always_eager", "broker_url", "broker_write_url", "result_backend")
    saved = {k: app.conf.get(k) for k in keys}
    pool, producers, backend_cache = app._pool, app.amqp._producer_pool, app._backend_cache
    local_backend = app._local.__dict__.pop("backend", None)
    app.conf.update(task_always_eager=False, broker_url=CLOSED, broker_write_url=None, result_backend=CLOSED)
    app._pool, app.amqp._producer_pool, app._backend_cache = None, None, None
    try:
        yield CLOSED
    finally:
        # the pools made for CLOSED stay in kombu's registry of pools (nothing is open in them),
        # for the next test that takes Redis down
        app.conf.update(saved)
        app._pool, app.amqp._producer_pool, app._backend_cache = pool, producers, backend_cache
        app._local.__dict__.pop("backend", None)
        if local_backend is not None:
            app._local.backend = local_backend
