# jikimi — two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test check lint typecheck bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## run: set up .venv and publish the example policies (lint + 처리방침 in Markdown/HTML + consent screens)
run: $(STAMP)
	$(BIN)/jikimi policy publish examples/policies --out out/policies

## test: set up .venv and run every check and test (fails if no test ran)
test: $(STAMP) browser
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

## browser: Debian's chromium for the page tests (installed with apt when we are root)
browser:
	@sh scripts/ensure-chromium.sh

bench: $(STAMP)
	@for f in bench/*.py; do echo "# $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
