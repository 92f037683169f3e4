#!/usr/bin/env bash
# Extract translatable strings into the zh_Hans catalogues:
#   each domain app (employees, payroll, ...) -> <app>/locale/zh_Hans/LC_MESSAGES/django.po
#   cross-cutting code (hrsuite/) and the shared templates (templates/) -> locale/zh_Hans/...
# Then `scripts/po_status.py` lists what still needs a translation.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
APPS=(employees payroll training exams surveys recruiting offboarding performance relations)
ignore=(--ignore=.venv --ignore=var --ignore=static --ignore=node_modules --ignore=tests --ignore=scripts)
for app in "${APPS[@]}"; do
  [ -d "$app" ] || continue
  ignore+=("--ignore=$app")
  mkdir -p "$app/locale"
  (cd "$app" && DJANGO_SETTINGS_MODULE=hrsuite.settings.test "../$PY" ../manage.py makemessages -l zh_Hans --no-obsolete --add-location=file -v 0)
done
DJANGO_SETTINGS_MODULE=hrsuite.settings.test $PY manage.py makemessages -l zh_Hans --no-obsolete --add-location=file -v 0 "${ignore[@]}"
$PY scripts/po_status.py
