# Two entry points for a newcomer (see README): `make demo` and `make test`.
# Both create .venv from python3 and install the locked dependencies first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.redline-installed
DEMO_DIR ?= demo

.PHONY: setup setup-train demo test lint bench bench-smoke clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# `redline train` needs torch (CPU build) and transformers; the shipped model does not.
setup-train: setup
	$(BIN)/python -m pip install -q "torch==2.13.0"
	$(BIN)/python -m pip install -q -e ".[train]"

demo: setup
	mkdir -p $(DEMO_DIR)
	rm -f $(DEMO_DIR)/redline.db $(DEMO_DIR)/redline.db-wal $(DEMO_DIR)/redline.db-shm $(DEMO_DIR)/redline.db.lock
	$(BIN)/redline run examples/corpus --db $(DEMO_DIR)/redline.db --report $(DEMO_DIR)/report.html --export $(DEMO_DIR)/export

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: setup
	$(BIN)/redline bench --sizes 1000,10000,100000 --workers 1,2 --big-documents 1,4,16 --out benchmarks/results --write-doc docs/performance.md

bench-smoke: setup
	$(BIN)/redline bench --sizes 100 --workers 1 --baseline-sample 20 --profile-sample 0 --out /tmp/redline-bench-smoke

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
