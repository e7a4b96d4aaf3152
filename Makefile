# Two commands from a fresh clone: `make lab` (open the workbook) and `make test` (the whole suite).
# Both create .venv when it is missing and install the project into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kam-installed
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: lab app test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $(STAMP)

# Both servers listen on 127.0.0.1 with a token and send nothing anywhere (flags: kamlib/app.py).
lab: $(STAMP)
	$(BIN)/kam lab

app: $(STAMP)
	$(BIN)/kam app --port $${APP_PORT:-8866}

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest tests notebooks exercises solutions instructor --nbval-lax --nbval-cell-timeout=120

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
