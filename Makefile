# Reciprocity: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate demo lint format messages compilemessages worker beat clean bench reach

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@echo "Reciprocity on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Two processes (pytest-xdist), each with its own test database; TEST_WORKERS=0 runs one.
TEST_WORKERS ?= 2
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Update the catalogues after changing user-facing strings, then translate locale/*/django.po.
messages: install
	$(PY) manage.py makemessages --locale fr --locale en --locale es --ignore ".venv/*" --ignore "var/*" --no-obsolete
	$(PY) manage.py compilemessages --ignore ".venv/*"

# The compiled catalogues (.mo) are committed, so that a machine without gettext runs the demo.
compilemessages: install
	$(PY) manage.py compilemessages --ignore ".venv/*"

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=info --schedule var/celerybeat-schedule

clean:
	rm -rf $(VENV) var/db.sqlite3 staticfiles

# The benchmark (docs/performance.md): PostgreSQL, Erasmus+-size data, then pages and throughput.
# It runs as in production (DEBUG off, compressed static files), on its own database.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/reciprocity_bench
BENCH_SIZE ?= --volunteers 1000000 --agencies 300 --agreements 30000 --placements 2000000
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=0 DEVTOOLS=1 SECRET_KEY=bench-only-not-secret-but-long-enough-for-the-production-check \
	ALLOWED_HOSTS=127.0.0.1,testserver SECURE_SSL_REDIRECT=0 STATIC_ROOT=var/bench-static MEDIA_ROOT=var/bench-media LOG_LEVEL=WARNING CONN_MAX_AGE=60
bench: install
	@command -v wrk >/dev/null || (echo "installing wrk" && apt-get install -y -qq wrk >/dev/null)
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$(notdir $(BENCH_DATABASE_URL))'" | grep -q 1 \
	  || psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc 'CREATE DATABASE "$(notdir $(BENCH_DATABASE_URL))"'
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) manage.py shell -c "from django.contrib.auth.models import User; import sys; sys.exit(0 if User.objects.filter(username='bench-officer').exists() else 1)" \
	  || $(BENCH_ENV) $(PY) manage.py generate_data $(BENCH_SIZE)
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(PY) manage.py bench $(BENCH_ARGS)

# docs/reach.md: weight (first load, repeat visit), axe-core results and sideways scroll of every
# page of the access matrix for every demo persona, in Chromium against the platform as deployed
# (tests/test_browser_reach.py; a few minutes).
reach: install
	REACH_REPORT=docs/reach.md REQUIRE_SERVICES=1 $(PY) -m pytest tests/test_browser_reach.py -q -p no:cacheprovider
