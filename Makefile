# The two commands a user needs: `make plan STACK=prod` and `make test`.
# Both build .venv from the pinned requirement files when it is missing or stale.
SHELL := /bin/bash
.SHELLFLAGS := -Eeuo pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev
REQUIREMENTS := requirements.txt $(wildcard requirements/*.txt)
# Tools whose pins clash with the project's (Checkov) get their own virtualenv.
TOOLS_VENV := .venv-tools
TOOLS_REQUIREMENTS := requirements/tools/checkov.txt requirements/tools/constraints.txt
# Semgrep clashes with both the project's pins and Checkov's: a virtualenv of its own, where the
# healthcare rules test looks for it (.tools/ is not tracked; a fresh clone builds it here).
SEMGREP_VENV := .tools/semgrep
SEMGREP_REQUIREMENTS := requirements/tools/semgrep.txt requirements/tools/semgrep-constraints.txt
# Tools only the pipeline runs (its tool-venvs and prowler-venv steps build these targets): Safety for the
# python-quality gate and Prowler for the prowler gate, each pinned apart from the project's pins.
SAFETY_VENV := .tools/safety
SAFETY_REQUIREMENTS := requirements/tools/safety.txt requirements/tools/safety-constraints.txt
PROWLER_VENV := .tools/prowler
PROWLER_REQUIREMENTS := requirements/tools/prowler.txt requirements/tools/prowler-constraints.txt

.PHONY: plan test lint typecheck shellcheck unit render check readme allowlist inventory facts urns clean

$(VENV)/.installed: $(REQUIREMENTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt \
		-r requirements.txt $(foreach f,$(filter-out requirements/constraints.txt,$(wildcard requirements/*.txt)),-r $(f))
	touch $@

$(TOOLS_VENV)/.installed: $(TOOLS_REQUIREMENTS)
	test -x $(TOOLS_VENV)/bin/python || $(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(TOOLS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c requirements/tools/constraints.txt -r requirements/tools/checkov.txt
	touch $@

$(SEMGREP_VENV)/.installed: $(SEMGREP_REQUIREMENTS)
	test -x $(SEMGREP_VENV)/bin/python || $(PYTHON) -m venv $(SEMGREP_VENV)
	$(SEMGREP_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(SEMGREP_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c requirements/tools/semgrep-constraints.txt -r requirements/tools/semgrep.txt
	$(SEMGREP_VENV)/bin/semgrep --version --metrics=off --disable-version-check >/dev/null
	touch $@

$(SAFETY_VENV)/.installed: $(SAFETY_REQUIREMENTS)
	test -x $(SAFETY_VENV)/bin/python || $(PYTHON) -m venv $(SAFETY_VENV)
	$(SAFETY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(SAFETY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c requirements/tools/safety-constraints.txt -r requirements/tools/safety.txt
	$(SAFETY_VENV)/bin/safety --version >/dev/null
	touch $@

$(PROWLER_VENV)/.installed: $(PROWLER_REQUIREMENTS)
	test -x $(PROWLER_VENV)/bin/python || $(PYTHON) -m venv $(PROWLER_VENV)
	$(PROWLER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(PROWLER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c requirements/tools/prowler-constraints.txt -r requirements/tools/prowler.txt
	$(PROWLER_VENV)/bin/prowler --version >/dev/null
	touch $@

plan: $(VENV)/.installed
	$(PY) -m infra plan --stack $(STACK)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy .

shellcheck: $(VENV)/.installed
	printf '%s\n' $(wildcard scripts/*.sh scripts/lib/*.sh tests/scripts/fixtures/*.sh) | \
		xargs -P "$$(nproc)" -n 4 $(VENV)/bin/shellcheck --external-sources --source-path=SCRIPTDIR

unit: $(VENV)/.installed $(TOOLS_VENV)/.installed $(SEMGREP_VENV)/.installed
	$(PY) -m pytest -n auto --dist loadgroup --cov --cov-report=term --cov-fail-under=85.01

# The four checks are independent: run them side by side, each one's output kept together.
test: $(VENV)/.installed $(TOOLS_VENV)/.installed $(SEMGREP_VENV)/.installed
	$(MAKE) --no-print-directory --output-sync=target -j 4 lint typecheck shellcheck unit

render: $(VENV)/.installed
	$(PY) -m pipeline render

check: $(VENV)/.installed
	$(PY) -m pipeline check

# The README's generated sections (resources per stack, pipeline DAG); tests/docs fails when they are stale.
readme: $(VENV)/.installed
	$(PY) -m infra readme

# The IAM allow-lists are generated from each stack's offline plan; never edit them by hand.
allowlist: $(VENV)/.installed
	for stack in dev staging prod; do $(PY) -m infra allowlist --stack $$stack; done

# What the live gates must find in each environment (security/inventory/), from each stack's offline plan.
inventory: $(VENV)/.installed
	for stack in dev staging prod; do $(PY) -m infra inventory --stack $$stack; done

# scripts/lib/facts.sh holds the names and lists the scripts share with infra/; never edit it by hand.
facts: $(VENV)/.installed
	$(PY) -m infra shell-facts

# Checks each stack's plan against its URN snapshot (infra/plan/snapshots/); a missing URN is a replacement.
urns: $(VENV)/.installed
	for stack in dev staging prod; do $(PY) -m infra urns --stack $$stack; done

clean:
	rm -rf $(VENV) $(TOOLS_VENV) $(SEMGREP_VENV) $(SAFETY_VENV) $(PROWLER_VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
