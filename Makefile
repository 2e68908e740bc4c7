# plansign: `make run` shows the whole job on the embedded defaults (`make run WAIT=1`
# keeps the service running for a person to click through); `make test` runs the tests.
# Both install what they need first (Debian packages, then a virtual environment).

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
OUT ?= out
WAIT ?=

.PHONY: setup system venv run test fuzz lint bench clean translations

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
# again on PostgreSQL, on a private server the tests start and stop. Each run in two
# processes (pytest-xdist), a test file's tests in one of them (module fixtures such as
# a browser's server are set up once): much of the suite waits on LibreOffice, Chromium,
# servers and subprocesses, which the second process fills. TEST_PROCESSES=0: one.
TEST_PROCESSES ?= 2
test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile
	$(BIN)/pytest -q -n $(TEST_PROCESSES) --dist loadfile --db=postgresql -m database

# The schemathesis test on random examples, FUZZ per operation and mode (make test runs a
# fixed set): a wider search to run now and then, not part of make test.
FUZZ ?= 200
fuzz: setup
	$(BIN)/pytest -q tests/hostile/test_hostile_api_schema.py --fuzz=$(FUZZ)

# The console's messages (babel.cfg) into the catalogs of signing/translations/: extract
# the template, bring each language's catalog up to date (English is the source, so its
# translations stay empty: gettext then shows the English text), and compile them.
# tests/console/test_translations.py fails when a message is missing: run this then.
TRANSLATIONS := signing/translations
translations: venv
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext --add-location=file \
		--sort-by-file --no-wrap --project=plansign -o $(TRANSLATIONS)/messages.pot.new .
	@# Only a change of messages is a change (not the extraction's date): fewer conflicts.
	@if diff -q -I '^"POT-Creation-Date' $(TRANSLATIONS)/messages.pot \
		$(TRANSLATIONS)/messages.pot.new >/dev/null 2>&1; \
	then rm $(TRANSLATIONS)/messages.pot.new; \
	else mv $(TRANSLATIONS)/messages.pot.new $(TRANSLATIONS)/messages.pot; fi
	test -f $(TRANSLATIONS)/en/LC_MESSAGES/messages.po || \
		$(BIN)/pybabel -q init -l en -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete --no-wrap \
		--ignore-pot-creation-date \
		-i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	$(BIN)/pybabel -q compile --use-fuzzy -d $(TRANSLATIONS)

bench: setup
	$(BIN)/python bench/bench_generate.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
