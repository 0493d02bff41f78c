# Practice Hub. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.DEFAULT_GOAL := help
.PHONY: help venv run worker setup demo test system-packages lint format check clean messages makemessages

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,dev]"
	@touch $@

venv: $(BIN)/.installed ## Create the virtual environment and install the dependencies

# The interface languages besides English (site/settings/base.py LANGUAGES; docs/i18n.md).
LOCALES := fr nl de es

messages: venv ## Compile the translations (locale/*/LC_MESSAGES/*.po into .mo)
	$(BIN)/python manage.py compile_translations

makemessages: venv ## Collect new strings into the catalogues (locale/<lang>/LC_MESSAGES/django.po)
	$(BIN)/python manage.py makemessages $(addprefix -l ,$(LOCALES)) \
		--ignore=.venv --ignore=node_modules --ignore=bench --ignore=tests --ignore=media \
		--ignore=static_collected

setup: venv messages ## Migrate the database and load the demo content (with an admin account)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data --accounts

run: setup messages ## Set everything up, then serve the site on http://127.0.0.1:8000 with a task worker
	HOST=$(HOST) $(BIN)/honcho start -f Procfile

worker: venv ## Run one task worker on its own (index updates, PDF bundles, e-mails)
	$(BIN)/python manage.py db_worker

demo: venv ## (Re)load the demo content
	$(BIN)/python manage.py load_demo_data

test: venv system-packages messages ## Run the whole test suite (set DATABASE_URL to test on PostgreSQL)
	$(BIN)/python -m pytest

system-packages: ## Install the Debian packages the tests need (Chromium, poppler, HarfBuzz subset)
	@.ci/system-packages

lint: venv ## Check code style
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv ## Fix code style
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: venv ## Django system checks and missing migrations
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean: ## Remove the virtual environment and the local database
	rm -rf $(VENV) db.sqlite3 media static_collected

.PHONY: bench
bench: venv ## Benchmarks into separate databases; writes docs/benchmarks.md (see bench/)
	$(BIN)/python -m bench $(BENCH_ARGS)
