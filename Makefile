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
	HYPOTHESIS_PROFILE=random $(BIN)/pytest -q tests/hostile/test_hostile_plan_properties.py

# The catalogs of signing/translations/ (README, "Languages"): two domains, each
# extracted into its template, then each language's catalog brought up to date and
# compiled. `messages` (babel.cfg): the console, in each person's own language, English
# (the source: its catalog's translations stay empty, gettext then shows the English
# text) and every language of CONSOLE_LANGUAGES. `signer` (babel-signer.cfg): everything
# a signer reads, in every language of SIGNER_LANGUAGES. A new message arrives in each catalog empty; fill it in (the README
# says how), then run this again to compile. tests/test_translations.py fails while any
# is missing, empty or fuzzy. A third domain, `docgen` (babel-docgen.cfg), holds the
# words of the pages plansign adds to the final PDF; its catalogs live in docgen's own
# package (docgen/translations, read without Flask) and are translated into the same
# languages, with the same steps.
TRANSLATIONS := signing/translations
DOCGEN_TRANSLATIONS := docgen/translations
SIGNER_LANGUAGES := es fr de ar
CONSOLE_LANGUAGES := es fr de ar
PYBABEL_EXTRACT := $(BIN)/pybabel -q extract -k lazy_gettext -k _l -k L_ -k N_ -k NN_:1,2 --add-location=file \
	--sort-by-file --no-wrap --project=plansign
translations: venv
	$(PYBABEL_EXTRACT) -F babel.cfg -o $(TRANSLATIONS)/messages.pot.new .
	$(PYBABEL_EXTRACT) -F babel-signer.cfg -o $(TRANSLATIONS)/signer.pot.new .
	$(PYBABEL_EXTRACT) -F babel-docgen.cfg -o $(DOCGEN_TRANSLATIONS)/docgen.pot.new .
	@# Only a change of messages is a change (not the extraction's date): fewer conflicts.
	@for pot in $(TRANSLATIONS)/messages $(TRANSLATIONS)/signer $(DOCGEN_TRANSLATIONS)/docgen; do \
		if diff -q -I '^"POT-Creation-Date' $$pot.pot $$pot.pot.new >/dev/null 2>&1; \
		then rm $$pot.pot.new; \
		else mv $$pot.pot.new $$pot.pot; fi; \
	done
	@for lang in en $(CONSOLE_LANGUAGES); do \
		test -f $(TRANSLATIONS)/$$lang/LC_MESSAGES/messages.po || \
		$(BIN)/pybabel -q init -l $$lang -i $(TRANSLATIONS)/messages.pot \
			-d $(TRANSLATIONS); \
	done
	@for lang in en $(SIGNER_LANGUAGES); do \
		test -f $(TRANSLATIONS)/$$lang/LC_MESSAGES/signer.po || \
		$(BIN)/pybabel -q init -D signer -l $$lang -i $(TRANSLATIONS)/signer.pot \
			-d $(TRANSLATIONS); \
	done
	$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete --no-wrap \
		--ignore-pot-creation-date \
		-i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	$(BIN)/pybabel -q update -D signer --no-fuzzy-matching --ignore-obsolete --no-wrap \
		--ignore-pot-creation-date \
		-i $(TRANSLATIONS)/signer.pot -d $(TRANSLATIONS)
	$(BIN)/pybabel -q compile --use-fuzzy -d $(TRANSLATIONS) -l en
	@for lang in $(CONSOLE_LANGUAGES); do \
		$(BIN)/pybabel -q compile -d $(TRANSLATIONS) -l $$lang || exit 1; \
	done
	$(BIN)/pybabel -q compile -D signer -d $(TRANSLATIONS)
	@for lang in $(SIGNER_LANGUAGES); do \
		test -f $(DOCGEN_TRANSLATIONS)/$$lang/LC_MESSAGES/docgen.po || \
		$(BIN)/pybabel -q init -D docgen -l $$lang -i $(DOCGEN_TRANSLATIONS)/docgen.pot \
			-d $(DOCGEN_TRANSLATIONS); \
	done
	$(BIN)/pybabel -q update -D docgen --no-fuzzy-matching --ignore-obsolete --no-wrap \
		--ignore-pot-creation-date \
		-i $(DOCGEN_TRANSLATIONS)/docgen.pot -d $(DOCGEN_TRANSLATIONS)
	$(BIN)/pybabel -q compile -D docgen -d $(DOCGEN_TRANSLATIONS)

bench: setup
	$(BIN)/python bench/bench_generate.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
