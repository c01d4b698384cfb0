# Samvær: `make run` serves the app with demo data; `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run install migrate seed test lint fmt pytest bench clean

$(BIN)/.installed: requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python -m app.cli migrate

seed: migrate
	$(BIN)/python -m app.cli seed

run: seed
	@echo "Samvær on http://$(HOST):$(PORT)  (log in with a demo member above)"
	$(BIN)/python -m app.cli serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations
	$(BIN)/mypy app

fmt: install
	$(BIN)/ruff format app tests bench migrations
	$(BIN)/ruff check --fix app tests bench migrations

pytest: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test: lint pytest

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
