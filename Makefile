# The two commands a user needs: `make plan STACK=prod` and `make test`.
# Both build .venv from the pinned requirement files when it is missing or stale.
SHELL := /bin/bash
.SHELLFLAGS := -Eeuo pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev
REQUIREMENTS := requirements.txt $(wildcard requirements/*.txt)

.PHONY: plan test lint typecheck shellcheck unit render check clean

$(VENV)/.installed: $(REQUIREMENTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt \
		-r requirements.txt $(foreach f,$(filter-out requirements/constraints.txt,$(wildcard requirements/*.txt)),-r $(f))
	touch $@

plan: $(VENV)/.installed
	$(PY) -m infra plan --stack $(STACK)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy .

shellcheck: $(VENV)/.installed
	$(VENV)/bin/shellcheck --external-sources --source-path=SCRIPTDIR $(wildcard scripts/*.sh scripts/lib/*.sh tests/scripts/fixtures/*.sh)

unit: $(VENV)/.installed
	$(PY) -m pytest --cov --cov-report=term --cov-fail-under=85

test: lint typecheck shellcheck unit

render: $(VENV)/.installed
	$(PY) -m pipeline render

check: $(VENV)/.installed
	$(PY) -m pipeline check

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
