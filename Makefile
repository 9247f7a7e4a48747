# Thi Đua — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings
# The workers `run` and `serve-prod` start beside the web server (Procfile): the report reminders,
# the webhook deliveries, and the view buffer's flush when there is a buffer to flush (THIDUA_VIEW_BUFFER_URL).
WORKERS := send_reminders deliver_webhooks $(if $(THIDUA_VIEW_BUFFER_URL),flush_views)
comma := ,
empty :=
space := $(empty) $(empty)
# Web and workers in this terminal (honcho, Procfile); /healthz requires the workers it started.
SUPERVISE = export THIDUA_BIND="$(HOST):$(PORT)" PYTHONUNBUFFERED=1 \
	THIDUA_HEALTH_WORKERS="$${THIDUA_HEALTH_WORKERS-$(subst $(space),$(comma),$(strip $(WORKERS)))}"; \
	exec $(VENV)/bin/honcho start

.PHONY: run test install install-dev lint bench soak migrate demo serve-prod clean messages

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	mkdir -p "$${THIDUA_VAR_DIR:-var}"
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py load_demo --if-empty

## Serve the demo at http://$(HOST):$(PORT) (SQLite under var/; DATABASE_URL for PostgreSQL), with
## its workers, in this terminal; Ctrl-C stops them all.
## DEBUG stays off so the demo shows the real error pages; WhiteNoise serves the static files.
run: demo
	$(PY) manage.py collectstatic --noinput -v0
	@if [ "$(HOST)" = "0.0.0.0" ]; then hosts="*"; else hosts="$(HOST),127.0.0.1,localhost,[::1]"; fi; \
	export DEBUG=$${DEBUG:-0} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-$$hosts}; \
	$(SUPERVISE) web $(WORKERS)

## The whole suite: SQLite, then PostgreSQL when reachable, browser tests when Chromium is installed.
test: install-dev
	$(PY) scripts/run_tests.py

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy thidua config
	$(PY) manage.py makemigrations --check --dry-run -v0

bench: install-dev
	$(PY) bench/run.py
	$(PY) bench/registrations.py
	$(PY) bench/monitoring.py
	$(PY) bench/recognition.py
	$(PY) bench/decision_documents.py
	command -v wrk >/dev/null || { echo "bench/portal.py needs wrk (apt-get install wrk)"; exit 1; }
	$(PY) bench/portal.py

## Soak: gunicorn and the workers on PostgreSQL and Redis under a mixed load (SOAK_MINUTES, default 2).
soak: install-dev
	command -v wrk >/dev/null || { echo "bench/soak.py needs wrk (apt-get install wrk)"; exit 1; }
	$(PY) bench/soak.py

messages: install-dev
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=tests --ignore=bench --no-obsolete
	$(PY) manage.py compilemessages -l en --ignore=.venv

## Production-like server (see README): gunicorn with the same settings module, and the workers.
## No gunicorn access log: thidua.request logs each request without its query string or address.
serve-prod: migrate
	$(PY) manage.py collectstatic --noinput -v0
	@$(SUPERVISE) web-prod $(WORKERS)

clean:
	rm -rf $(VENV) var/static
