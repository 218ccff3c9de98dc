# PHT: one command to try it, one to test it. Needs only python3 (and, for browser tests, root to apt-get chromium).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# Every dependency pinned to the versions the suite passed with (make lock refreshes it).
LOCK := requirements.lock

.PHONY: demo test lint typecheck messages clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet -c $(LOCK) -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet -c $(LOCK) -e '.[test]'
	touch $@ $(STAMP)

## demo: set up everything on the embedded SQLite database under var/ and serve http://127.0.0.1:8000
demo: $(STAMP)
	scripts/install-system-deps pdf
	$(BIN)/pht demo

## test: the whole suite on SQLite (browser tests drive Debian's chromium, installed if missing),
## spread over two processes (pytest-xdist; a test file stays on one process); axe-core, pinned in
## tests/e2e/axe/package-lock.json, comes from npm (needs node and npm) for the accessibility audit
PYTEST := $(BIN)/pytest -p no:cacheprovider -n 2 --dist loadfile
test: $(TEST_STAMP)
	scripts/install-system-deps pdf browser
	cd tests/e2e/axe && npm ci --no-audit --no-fund
	$(PYTEST)

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

## messages: refresh and compile the translations (needs GNU gettext; the compiled .mo files are committed)
messages: $(STAMP)
	cd src/pht && ../../$(BIN)/python -m django makemessages -l nb -l en --settings=pht.site.settings -i 'site/static/*' --no-obsolete
	cd src/pht && ../../$(BIN)/python -m django compilemessages --settings=pht.site.settings

## lock: resolve pyproject's dependencies afresh in a scratch venv and pin them in requirements.lock
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet -e '.[test]'
	( echo "# pip constraints: the versions PHT was tested with. Refresh: make lock, then make test."; \
	  .venv-lock/bin/pip freeze --exclude-editable ) > $(LOCK)
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) var
