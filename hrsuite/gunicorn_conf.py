"""Gunicorn settings shared by the Procfile and docker-compose (`gunicorn -c hrsuite/gunicorn_conf.py`).

The access log goes to stdout, with the client address, user and agent redacted on the
anonymous feedback paths (relations.anonymity)."""

from gunicorn.glogging import Logger

accesslog = "-"


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        from relations.anonymity import redact_access_log

        return redact_access_log(super().atoms(resp, req, environ, request_time))


logger_class = RedactingLogger
