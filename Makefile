# jikimi — two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test quick bench clean browser _quick_types _quick_tests

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## run: set up .venv, publish the example policies, build a demo database (var/demo.db) and serve the API
##      on http://127.0.0.1:8000 (docs at /docs; demo handler tokens in var/demo-tokens.json; the demo's
##      master key, made on the first run, in var/master.key, named explicitly to both commands)
run: $(STAMP)
	$(BIN)/jikimi policy publish examples/policies --out out/policies
	$(BIN)/jikimi demo --policy examples/policies/reference.yaml --db sqlite:///var/demo.db --key-file var/master.key
	@echo ""
	@echo "API 문서 (API docs): http://127.0.0.1:8000/docs   콘솔 (console): http://127.0.0.1:8000/console/ — 멈추려면 Ctrl+C (Ctrl+C to stop)"
	$(BIN)/jikimi serve --policy examples/policies/reference.yaml --db sqlite:///var/demo.db --key-file var/master.key --port 8000

CHECKED := src tests bench scripts

## test: set up .venv and run every check and test: formatting, lint, types, the import contracts, and
##       the whole suite on SQLite, PostgreSQL and a browser, in one process per CPU (pytest-xdist;
##       an idle process takes tests from a busy one, so a long test at the end does not hold the run)
test: $(STAMP) browser
	$(BIN)/ruff format --check $(CHECKED)
	$(BIN)/ruff check $(CHECKED)
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n auto --dist worksteal

## quick: the fast tier while working — formatting, lint, types and every test that needs no database,
##        no browser and is not marked slow (about 30 s); `make test` is what CI runs
quick: $(STAMP)
	$(BIN)/ruff format --check $(CHECKED)
	$(BIN)/ruff check $(CHECKED)
	@$(MAKE) --no-print-directory -j2 _quick_types _quick_tests

_quick_types:
	@$(BIN)/mypy

_quick_tests:
	@$(BIN)/python -m pytest -q -m "not db and not browser and not slow"

## browser: Debian's chromium for the page tests (installed with apt when we are root)
browser:
	@sh scripts/ensure-chromium.sh

## bench: the vault benchmarks at small sizes (JSON lines; see docs/performance.md for full sizes)
bench: $(STAMP)
	@for f in bench/vault_*.py; do echo "# $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
