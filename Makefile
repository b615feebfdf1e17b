# Inquiry intake. Quick start: `make run` (the whole pipeline locally) and `make test` (every test).
# Each target sets up what it needs from nothing: the virtualenv, tool virtualenvs, Debian packages.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PYTEST := $(PY) -m pytest
# `make test`'s workers: one per CPU (a 1-CPU machine runs one). Each test module runs whole on one worker
# (`--dist loadfile`), so a module's local stack and Chromium start once; `PYTEST_WORKERS=0` runs in-process.
PYTEST_WORKERS ?= auto

.PHONY: help venv lint typecheck check unit integration test openapi openapi-check bench bench-smoke triage triage-index train-triage clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP) ## Build .venv with the project and its dev tools

lint: venv ## ruff over the whole tree
	$(VENV)/bin/ruff check .

typecheck: venv ## mypy --strict over the code and the tests
	$(VENV)/bin/mypy

unit: venv ## Unit tests only (fast, no AWS emulation)
	$(PYTEST) tests/unit -q

integration: venv ## Integration tests with moto
	$(PYTEST) tests/integration -q

check: venv ## The fast inner loop: unit and integration tests
	$(PYTEST) tests/unit tests/integration -q -p no:cacheprovider

openapi: venv ## Write docs/openapi.json from the models
	$(PY) -m infra.openapi > docs/openapi.json

openapi-check: venv ## Fail when docs/openapi.json is stale
	$(PY) -m infra.openapi --check docs/openapi.json

bench: venv sam-build host-layer ## Cold start, warm intake, end to end, triage, artifacts, cost: writes docs/benchmarks.md and .json
	$(PY) -m infra.bench

bench-smoke: venv ## The benchmark with tiny samples into build/bench-smoke (checks it still runs; no figures kept)
	$(PY) -m infra.bench --quick --output-dir build/bench-smoke

triage: venv ## Crisis triage on the corpus: recall, false-alarm rate, microseconds per message
	$(PY) -m infra.triage_report

triage-index: venv ## Regenerate functions/inquiries/triage/rules_index.json from rules.json (after any rule change)
	$(PY) -m inquiries.triage.rules --write-index

train-triage: venv triage-index ## Retrain triage's model on the corpus's training rounds: functions/inquiries/triage/model.json
	$(PY) -m infra.triage_train

include mk/*.mk

test: venv lint typecheck openapi-check i18n-check validate browser-deps ## Everything: lint, types, template gates, every test
	$(PYTEST) tests -q -n $(PYTEST_WORKERS) --dist loadfile

clean: ## Remove virtualenvs and build output
	rm -rf $(VENV) .tools .aws-sam .pytest_cache .mypy_cache .ruff_cache test-artifacts
