# Linli — the two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# `make run DEBUG=1`: Django's debug pages for a developer; off by default, as users see Linli.
DEBUG ?= 0

.PHONY: run test lint install install-test migrate demo check vendor bench clean

$(VENV)/.base-installed: requirements/base.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements/base.txt
	touch $@

$(VENV)/.test-installed: $(VENV)/.base-installed requirements/test.txt
	$(PIP) install -q -r requirements/test.txt
	touch $@

install: $(VENV)/.base-installed
install-test: $(VENV)/.test-installed

migrate: install
	$(PY) manage.py migrate --noinput

## Start Linli on the embedded default: SQLite in var/, demo company loaded when empty.
run: migrate
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py print_demo_logins
	LINLI_DEBUG=$(DEBUG) $(PY) manage.py runserver $(HOST):$(PORT)

## Run the layers, lint and types, then the whole test suite on every core (SQLite; PostgreSQL with
## LINLI_TEST_DATABASE_URL=postgres://…).
## SKIP_LINT=1 leaves the lint out (CI runs `make lint` beside the tests, on the core they leave idle).
SKIP_LINT ?= 0
test: install-test $(if $(filter 1,$(SKIP_LINT)),,lint)
	$(PY) manage.py makemigrations --check --dry-run --settings=linli.settings_test
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

## The layers (import-linter, docs/architecture.md), lint (ruff) and types (mypy with django-stubs).
lint: install-test
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check apps linli
	$(VENV)/bin/mypy apps linli

check: install
	$(PY) manage.py check

## Benchmarks (docs/performance.md): SCALE=tiny|small|company, database from LINLI_BENCH_DATABASE_URL
## (postgres://…/name, dropped and created; default a SQLite file per bench in the temp directory).
SCALE ?= small
bench: install-test
	@for f in bench/*_bench.py; do echo "== $$f"; $(PY) $$f --scale $(SCALE) || exit 1; done

## Refresh the vendored front-end files from npm (versions in package.json).
vendor:
	npm install --no-save --no-package-lock
	cp node_modules/htmx.org/dist/htmx.min.js apps/core/static/vendor/
	cp node_modules/echarts/dist/echarts.min.js apps/core/static/vendor/
	cp node_modules/@picocss/pico/css/pico.min.css apps/core/static/vendor/
	cp node_modules/signature_pad/dist/signature_pad.umd.min.js apps/core/static/vendor/
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE linli/tests/vendor/ && mv linli/tests/vendor/LICENSE linli/tests/vendor/axe-core.LICENSE
	# no source maps are vendored: strip their comments, or collectstatic's manifest storage fails
	sed -i '/^\/\/# sourceMappingURL=/d' apps/core/static/vendor/*.js
	mkdir -p apps/core/static/vendor/fonts
	cp node_modules/@fontsource/noto-sans-sc/files/noto-sans-sc-chinese-simplified-{400,700}-normal.woff2 node_modules/@fontsource/noto-sans-sc/files/noto-sans-sc-latin-{400,700}-normal.woff2 apps/core/static/vendor/fonts/
	cp node_modules/@fontsource/noto-sans-sc/LICENSE apps/core/static/vendor/fonts/OFL-noto-sans-sc.txt

clean:
	rm -rf $(VENV) var staticfiles
