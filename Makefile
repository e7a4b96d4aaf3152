# Two commands from a fresh clone: `make lab` (open the workbook) and `make test` (the whole suite).
# Both create .venv when it is missing and install the project into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kam-installed
export PATH := $(abspath $(BIN)):$(PATH)

# The workbook sends nothing anywhere: no JupyterLab news feed, no update check, no extension
# manager looking up PyPI. Root (containers, classroom VMs) needs --allow-root.
LAB_FLAGS := --ServerApp.ip=127.0.0.1 --LabApp.news_url=None \
	--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	--LabApp.extension_manager=readonly \
	$(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks/00_start_here.ipynb

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest tests notebooks exercises solutions --nbval-lax --nbval-cell-timeout=120

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
