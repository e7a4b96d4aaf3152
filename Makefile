# Two commands from a fresh clone: `make lab` (open the workbook) and `make test` (the whole suite).
# Both create .venv when it is missing and install the project into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kam-installed
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: lab app check test lint bench clean hub-trial

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $(STAMP)

# Both servers listen on 127.0.0.1 with a token and send nothing anywhere (command lines: kamlib/app.py;
# settings, kernel culling included: kamlib/server_config.py).
lab: $(STAMP)
	$(BIN)/kam lab

app: $(STAMP)
	$(BIN)/kam app --port $${APP_PORT:-8866}

# A trial class on this machine's loopback (as root): TRAINEES throw-away trainees and an instructor on JupyterHub;
# Ctrl-C removes every account and file it made (README, "A classroom on JupyterHub").
hub-trial: $(STAMP)
	$(BIN)/kam hub --trial $${TRAINEES:-3}

# The quick inner loop: ruff and the tests that need no browser, no notebook kernel and no hub, on every core
# (pytest-xdist; a test file stays on one worker). `make test` runs these and then the rest, one at a time.
FAST      := -m "not browser and not notebook and not hub"
PARALLEL  := -n auto --dist loadfile

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest tests $(FAST) $(PARALLEL) -q

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest tests $(FAST) $(PARALLEL); fast=$$?; \
	$(BIN)/pytest tests notebooks exercises solutions instructor --nbval-lax --nbval-cell-timeout=120 \
		-m "browser or notebook or hub"; test $$fast = 0 -a $$? = 0

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
