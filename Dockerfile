# hrsuite image: one image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=hrsuite.settings.prod

# gettext: translations; postgresql-client: pg_dump/pg_restore for backups (same major as the
# db service); fonts-noto-cjk: Chinese in PDFs; Pango: WeasyPrint
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext postgresql-client-15 fonts-noto-cjk \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 hrsuite

WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . \
 && SECRET_KEY=build-only-$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz0123456789 \
    ALLOWED_HOSTS=build FIELD_ENCRYPTION_KEYS=ZG9ja2VyLWJ1aWxkLW9ubHkta2V5LTAxMjM0NTY3ODk= BLIND_INDEX_KEY=build \
    sh -c "python manage.py compilemessages --ignore=.venv -v 0 && python manage.py collectstatic --noinput -v 0" \
 && mkdir -p /app/var/private /app/var/backups \
 && chown -R hrsuite /app/var

USER hrsuite
EXPOSE 8000
CMD ["gunicorn", "hrsuite.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
