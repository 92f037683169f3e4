"""Gunicorn settings shared by the Procfile and docker-compose (`gunicorn -c hrsuite/gunicorn_conf.py`).

The access log goes to stdout, with the client address, user and agent redacted on the
anonymous paths (hrsuite.anonymity), and long numbers (a national ID number or a bank
account typed into a search box travels in the query string and the referrer) cut to their last
four characters on every path (hrsuite.redaction, shared with the error reports)."""

from gunicorn.glogging import Logger

accesslog = "-"


def redact_long_numbers(atoms: dict) -> dict:
    """Access-log atoms with every ID-number-like or bank-account-like number masked: ****1234."""
    from hrsuite.redaction import mask_long_numbers  # not at the top: hrsuite imports Celery

    return {key: mask_long_numbers(value) if isinstance(value, str) else value for key, value in atoms.items()}


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        from hrsuite.anonymity import redact_access_log

        return redact_long_numbers(redact_access_log(super().atoms(resp, req, environ, request_time)))


logger_class = RedactingLogger


def post_worker_init(worker):
    """Load what every request needs (the URLconf with every view module, the translation
    catalogues), then hand everything loaded so far to gc.freeze(). A full garbage collection
    then walks only what requests create rather than the whole framework as well: a page that
    builds many objects (the engagement results with thousands of comments) otherwise paid about
    100 ms for each collection it triggered, in one request of twenty."""
    import gc

    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018  (imports every view module)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # activating a language loads its catalogues
            pass
    gc.collect()
    gc.freeze()
