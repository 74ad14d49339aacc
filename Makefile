# fleetops.sophos — two commands for people (`make demo`, `make test`), the rest for development.
# Every target installs what it needs first (Debian packages, the venv, collections) and is idempotent.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
PYTHON ?= python3
COLLECTIONS := $(VENV)/collections
LINK := $(COLLECTIONS)/ansible_collections/fleetops/sophos
# Debian packages: the lab (systemd-nspawn hosts), the report check (chromium), the test tools and Java 17
# for ansible-rulebook (its rules engine, drools, runs in the JVM; the event source's integration test), and
# Alertmanager (the silences' integration test starts its own on loopback: the package's service is not used).
DEB_PACKAGES := git make systemd-container debootstrap zstd iproute2 openssh-client chromium \
	shellcheck dpkg-dev ca-certificates openjdk-17-jre-headless prometheus-alertmanager
GET_PIP := $(HOME)/.ansible/test/cache/get_pip_24_2.py

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup deb-packages venv test demo bench sanity units pwsh lint docs build changelog \
	antsibull galaxy docsite integration molecule compat clean mutation

help:
	@echo "make demo   - start the lab and run the maintenance playbook on it (two-restart scenario)"
	@echo "make test   - install everything and run every check (sanity, units, lint, docs, lab integration)"
	@echo "make bench  - benchmarks on the lab (printed figures)"
	@echo "make docsite - the docs site (antsibull-docs) into tests/output/docsite"

setup: deb-packages venv $(VENV)/compat/.installed $(LINK) $(GET_PIP)

deb-packages:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "missing Debian packages:$$missing (run as root or install them)" >&2; exit 1; fi; \
		echo "installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-test.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/pip install -q -r requirements-test.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/python -c "import ansible_collections.ansible.windows, ansible_collections.community.general, ansiblelint, molecule, tree_sitter_pwsh, galaxy_importer, antsibull_docs, myst_parser, sphinx_ansible_theme, ansible_rulebook"
	touch $@

# The oldest ansible-core meta/runtime.yml admits, for the "compat" stage of make test.
$(VENV)/compat/.installed: requirements-compat.txt | venv
	test -x $(VENV)/compat/bin/python || $(PYTHON) -m venv $(VENV)/compat
	$(VENV)/compat/bin/pip install -q -r requirements-compat.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	touch $@

$(LINK):
	mkdir -p $(dir $@)
	ln -sfn $(ROOT) $@

$(GET_PIP): tests/tools/get_pip_offline.py
	mkdir -p $(dir $@)
	cp $< $@

test: setup
	$(BIN)/python tests/tools/run_checks.py

demo: setup
	$(BIN)/python tests/tools/demo.py

bench: setup
	$(BIN)/python tests/tools/run_checks.py --only bench

sanity units pwsh lint docs build changelog antsibull galaxy docsite integration molecule compat: setup
	$(BIN)/python tests/tools/run_checks.py --only $@

# Mutation testing (not part of make test): mutmut in its own venv, which sees the project venv's
# packages through a .pth file appended after its own site-packages.
$(VENV)/mutation/.installed: requirements-mutation.txt | venv
	test -x $(VENV)/mutation/bin/python || $(PYTHON) -m venv $(VENV)/mutation
	$(VENV)/mutation/bin/pip install -q -r requirements-mutation.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])" > \
		"$$($(VENV)/mutation/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")/fleetops-project-venv.pth"
	$(VENV)/mutation/bin/python -c "import mutmut, pytest, ansible, ansible_collections.ansible.windows"
	touch $@

# make mutation MUTATION_ARGS='--sample 10': options of tests/tools/mutation.py (docs/testing.md).
mutation: setup $(VENV)/mutation/.installed
	$(BIN)/python tests/tools/mutation.py $(MUTATION_ARGS)

clean:
	-tests/lab/lab down
	rm -rf $(VENV) tests/output
