# Frontline Trainer: `make run` to try it, `make test` to check it, `make bench` to measure it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export TRAINER_ENV ?= development
FLASK := $(BIN)/flask --app wsgi
MO_FILES := $(patsubst %.po,%.mo,$(wildcard trainer/translations/*/LC_MESSAGES/messages.po))

.PHONY: run lint test test-quick test-sqlite test-postgres bench install lrs system-packages translations messages clean

run: install translations
	$(FLASK) db upgrade
	$(FLASK) courses import courses/
	$(FLASK) demo seed
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

test: lint translations system-packages node_modules/axe-core/axe.min.js lrs
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

# Static checks first: a finding stops the run before the slower tests start.
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# While working: all but the slow load and scale-out tests and the browser journeys.
test-quick: install translations lrs
	TRAINER_ENV=testing $(BIN)/python -m pytest -q -m "not slow and not e2e"

test-sqlite:
	TRAINER_ENV=testing $(BIN)/python -m pytest -q

test-postgres:
	TRAINER_ENV=testing $(BIN)/python -m pytest -q --postgres

bench: install translations system-packages
	$(BIN)/python -m bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The Learning Record Store the xAPI tests send statements to and read them back from: Ralph, in
# a virtualenv of its own (it pins its own FastAPI, httpx and pydantic). tests/support/lrs.py starts it.
# requests: Ralph's API imports it (for OpenID Connect) without declaring it.
LRS_VENV := .venv-lrs
RALPH := ralph-malph[cli,lrs]==5.1.0

lrs: $(LRS_VENV)/.installed

$(LRS_VENV)/.installed:
	test -x $(LRS_VENV)/bin/python || $(PYTHON) -m venv $(LRS_VENV)
	$(LRS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LRS_VENV)/bin/python -m pip install --quiet '$(RALPH)' 'requests>=2.31'
	touch $@

translations: $(MO_FILES)

%.mo: %.po | install
	$(BIN)/pybabel compile -i $< -o $@ >/dev/null

# Re-extract the UI strings and merge them into every catalogue (then translate the new ones).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--omit-header -o trainer/translations/messages.pot .
	$(BIN)/pybabel update -i trainer/translations/messages.pot -d trainer/translations \
		--width 100 --ignore-obsolete

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages the tests and benchmarks use: a browser, database servers, a TLS proxy, fonts,
# a load tool. The tests start their own nginx, PostgreSQL and Redis, never the system daemons.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || missing="$$missing fonts-dejavu-core"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	test -x /usr/sbin/nginx || command -v nginx >/dev/null || missing="$$missing nginx-light"; \
	test -x /usr/sbin/pgbouncer || command -v pgbouncer >/dev/null || missing="$$missing pgbouncer"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

clean:
	rm -rf $(VENV) $(LRS_VENV) node_modules .pytest_cache $(MO_FILES)
