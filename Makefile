# plansign: `make run` shows the whole job on the embedded defaults (`make run WAIT=1`
# keeps the service running for a person to click through); `make test` runs the tests.
# Both install what they need first (Debian packages, then a virtual environment).

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
OUT ?= out
WAIT ?=

.PHONY: setup system venv run test fuzz lint bench clean

setup: system venv

system:
	@bash scripts/install-system-packages.sh

venv: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: setup
	$(BIN)/plansign demo --out $(OUT) $(if $(WAIT),--wait,)

lint: venv
	$(BIN)/ruff check .

# The whole suite on SQLite, then the tests that use a database (marked `database`)
# again on PostgreSQL, on a private server the tests start and stop.
test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest
	$(BIN)/pytest -q --db=postgresql -m database

# The schemathesis test on random examples, FUZZ per operation and mode (make test runs a
# fixed set): a wider search to run now and then, not part of make test.
FUZZ ?= 200
fuzz: setup
	$(BIN)/pytest -q tests/hostile/test_hostile_api_schema.py --fuzz=$(FUZZ)

bench: setup
	$(BIN)/python bench/bench_generate.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
