# Two commands: `make run` (set up, migrate, load demo data, serve) and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app registry
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test translations extract-messages update-messages bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Versions are pinned in constraints.txt (regenerate: $(BIN)/pip freeze --exclude-editable > constraints.txt).
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d registry/translations 2>&1 | grep -v "^compiling" || true

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -o registry/translations/messages.pot --no-location --sort-output --project registry .

update-messages: extract-messages
	$(BIN)/pybabel update -i registry/translations/messages.pot -d registry/translations --no-fuzzy-matching --ignore-obsolete --no-wrap

run: install
	$(FLASK) init
	$(FLASK) load-admin-units --if-needed
	$(FLASK) demo --if-empty
	$(FLASK) reindex --pending
	@echo ""
	@echo "The registry is at http://$(HOST):$(PORT)/"
	@echo "Sign in at http://$(HOST):$(PORT)/account/login with a demo account printed above (DEMO ONLY;"
	@echo "each one-time password is printed once, when the demo data is loaded, and changed at the first sign-in)."
	@echo "On a database without users, that page offers to create the first administrator."
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/search_bench.py

clean:
	rm -rf $(VENV) .pytest_cache
