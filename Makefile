# The README's two commands: `make demo` and `make test`. Both set up everything
# they need in a local virtual environment (.venv) on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_BASE := $(VENV)/.installed-base
STAMP_DEV  := $(VENV)/.installed-dev

.PHONY: demo test lint bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_BASE): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[io,report]"
	touch $@

$(STAMP_DEV): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(STAMP_BASE)

demo: $(STAMP_BASE)
	$(BIN)/efficacy demo

test: $(STAMP_DEV)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/python -m pytest -q

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

bench: $(STAMP_DEV)
	$(BIN)/python -m benchmarks.run_all

docs: $(STAMP_DEV)
	$(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) dist build site .pytest_cache .ruff_cache
