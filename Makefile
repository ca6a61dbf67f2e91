# skillcert: `make run` to try it, `make test` to test it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run setup serve test test-pg lint bench clean

$(STAMP): pyproject.toml setup.py skillcert/verification/_counting.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## setup: install into .venv and migrate the SQLite database under var/
setup: $(STAMP)
	mkdir -p var
	$(BIN)/skillcert migrate
	$(BIN)/skillcert createcachetable

## run: setup, load the demo data into an empty database, serve http://127.0.0.1:8000
run: setup
	$(BIN)/skillcert demo --if-empty
	$(BIN)/skillcert serve

## test: the whole suite on SQLite
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

## test-pg: the whole suite on PostgreSQL at $$SKILLCERT_TEST_DATABASE_URL
test-pg: $(STAMP)
	@test -n "$$SKILLCERT_TEST_DATABASE_URL" || { echo "设置 SKILLCERT_TEST_DATABASE_URL，例如 postgres://postgres@127.0.0.1:5432/skillcert"; exit 2; }
	SKILLCERT_DATABASE_URL="$$SKILLCERT_TEST_DATABASE_URL" $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

## lint: ruff, format check, mypy, migrations up to date, the C module free of warnings
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
	gcc -O2 -c -o /dev/null -Wall -Wextra -Werror -I"$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["include"])')" skillcert/verification/_counting.c

## bench: benchmarks under bench/, one JSON object per line
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var build skillcert/verification/_counting*.so
