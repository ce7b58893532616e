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
# The jq the pipeline runs (1.7.1, pipeline/images.py), where the script tests find it: the machine's
# own when it is that version, else built from its pinned release source (.ci/build-jq).
JQ_DIR := .tools/jq
# No byte-compiling at install: pip would compile every module of every package (pulumi-gcp alone is
# ~290 MB of Python), ~75 CPU-s per fresh .venv; Python compiles what is imported, once, on first use.
PIP_INSTALL := -m pip install --quiet --disable-pip-version-check --no-compile
# ...which needs Python allowed to write those compiled files: the suite starts hundreds of Python
# processes (gates, plans, tools), and with PYTHONDONTWRITEBYTECODE set (some CI images and shells set
# it) each one recompiles everything it imports. Measured: make test 191 s -> 164 s on 2 cores.
unexport PYTHONDONTWRITEBYTECODE
SHELL_FILES := $(wildcard scripts/*.sh scripts/lib/*.sh tests/scripts/fixtures/*.sh) .ci/run .ci/build-jq
SHELL_LIBS := $(wildcard scripts/lib/*.sh)
SHELLCHECK_STAMPS := .tools/shellcheck
SHELLCHECKED := $(SHELL_FILES:%=$(SHELLCHECK_STAMPS)/%.ok)
# Tools only the pipeline runs (its tool-venvs and prowler-venv steps build these targets): Safety for the
# python-quality gate and Prowler for the prowler gate, each pinned apart from the project's pins.
SAFETY_VENV := .tools/safety
SAFETY_REQUIREMENTS := requirements/tools/safety.txt requirements/tools/safety-constraints.txt
PROWLER_VENV := .tools/prowler
PROWLER_REQUIREMENTS := requirements/tools/prowler.txt requirements/tools/prowler-constraints.txt

.PHONY: plan test lint typecheck shellcheck unit render check readme allowlist inventory facts urns simulate clean

$(VENV)/.installed: $(REQUIREMENTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) $(PIP_INSTALL) --upgrade pip==25.3
	$(PY) $(PIP_INSTALL) -c requirements/constraints.txt \
		-r requirements.txt $(foreach f,$(filter-out requirements/constraints.txt,$(wildcard requirements/*.txt)),-r $(f))
	touch $@

$(TOOLS_VENV)/.installed: $(TOOLS_REQUIREMENTS)
	test -x $(TOOLS_VENV)/bin/python || $(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python $(PIP_INSTALL) --upgrade pip==25.3
	$(TOOLS_VENV)/bin/python $(PIP_INSTALL) \
		-c requirements/tools/constraints.txt -r requirements/tools/checkov.txt
	touch $@

$(SEMGREP_VENV)/.installed: $(SEMGREP_REQUIREMENTS)
	test -x $(SEMGREP_VENV)/bin/python || $(PYTHON) -m venv $(SEMGREP_VENV)
	$(SEMGREP_VENV)/bin/python $(PIP_INSTALL) --upgrade pip==25.3
	$(SEMGREP_VENV)/bin/python $(PIP_INSTALL) \
		-c requirements/tools/semgrep-constraints.txt -r requirements/tools/semgrep.txt
	$(SEMGREP_VENV)/bin/semgrep --version --metrics=off --disable-version-check >/dev/null
	touch $@

$(JQ_DIR)/.installed: .ci/build-jq
	.ci/build-jq $(JQ_DIR)
	touch $@

$(SAFETY_VENV)/.installed: $(SAFETY_REQUIREMENTS)
	test -x $(SAFETY_VENV)/bin/python || $(PYTHON) -m venv $(SAFETY_VENV)
	$(SAFETY_VENV)/bin/python $(PIP_INSTALL) --upgrade pip==25.3
	$(SAFETY_VENV)/bin/python $(PIP_INSTALL) \
		-c requirements/tools/safety-constraints.txt -r requirements/tools/safety.txt
	$(SAFETY_VENV)/bin/safety --version >/dev/null
	touch $@

$(PROWLER_VENV)/.installed: $(PROWLER_REQUIREMENTS)
	test -x $(PROWLER_VENV)/bin/python || $(PYTHON) -m venv $(PROWLER_VENV)
	$(PROWLER_VENV)/bin/python $(PIP_INSTALL) --upgrade pip==25.3
	$(PROWLER_VENV)/bin/python $(PIP_INSTALL) \
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

# One target per shell file, checked with the libraries it sources (~1 CPU-s a file, most of it
# re-analysing scripts/lib): a file is checked again when it, a library or the .venv's shellcheck
# changed since it last passed; a fresh clone checks them all.
shellcheck: $(SHELLCHECKED)

$(SHELLCHECK_STAMPS)/%.ok: % $(SHELL_LIBS) $(VENV)/.installed
	$(VENV)/bin/shellcheck --external-sources --source-path=SCRIPTDIR $<
	mkdir -p $(@D) && touch $@

unit: $(VENV)/.installed $(TOOLS_VENV)/.installed $(SEMGREP_VENV)/.installed $(JQ_DIR)/.installed
	$(PY) -m pytest -n auto --dist loadgroup --cov --cov-report=term --cov-fail-under=85.01

# The four checks are independent: run them side by side, each one's output kept together. The
# installs are their prerequisites, so on a fresh clone they run side by side too, and lint, typecheck
# and shellcheck start as soon as .venv is there.
test:
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

# cloudbuild.yaml run offline end to end (pipeline/simulate/): every stack compliant, every named fault,
# the repository faults as committed; one table, exit 1 when a run does not stop where it should. It
# installs the build's virtualenv and runs this test suite inside each build, so it takes minutes per
# run: a stage of its own, not part of `make test` (docs/pipeline.md, "Simulating the pipeline").
simulate: $(VENV)/.installed $(TOOLS_VENV)/.installed $(SEMGREP_VENV)/.installed
	$(PY) -m pipeline.simulate.campaign

clean:
	rm -rf $(VENV) $(TOOLS_VENV) $(SEMGREP_VENV) $(SAFETY_VENV) $(PROWLER_VENV) $(JQ_DIR) $(SHELLCHECK_STAMPS) .pytest_cache .mypy_cache .ruff_cache .coverage
