# jikimi — two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## run: set up .venv, publish the example policies, build a demo database (var/demo.db) and serve the API
##      on http://127.0.0.1:8000 (docs at /docs; demo handler tokens in var/demo-tokens.json)
run: $(STAMP)
	$(BIN)/jikimi policy publish examples/policies --out out/policies
	$(BIN)/jikimi demo --policy examples/policies/reference.yaml --db sqlite:///var/demo.db
	@echo ""
	@echo "API 문서 (API docs): http://127.0.0.1:8000/docs   — 멈추려면 Ctrl+C (Ctrl+C to stop)"
	$(BIN)/jikimi serve --policy examples/policies/reference.yaml --db sqlite:///var/demo.db --port 8000

## test: set up .venv and run every check and test (fails if no test ran)
test: $(STAMP) browser
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

## browser: Debian's chromium for the page tests (installed with apt when we are root)
browser:
	@sh scripts/ensure-chromium.sh

## bench: the vault benchmarks at small sizes (JSON lines; see docs/performance.md for full sizes)
bench: $(STAMP)
	@for f in bench/vault_*.py; do echo "# $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
