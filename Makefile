# hipnb: `make lab` to use it, `make test` to check it. Both create .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
PIP_QUIET := --quiet --disable-pip-version-check
# The address servers bind: this machine only. A name of the project's own, so a HOST that the
# shell exports (tcsh sets it to the machine's name) never puts a page on the LAN unasked.
HIPNB_HOST ?= 127.0.0.1
PORT ?= 8866
LAB_PORT ?= 8888
LAB_ARGS ?=
WORKSHOP_ARGS ?=
# Where a workshop's participants' logs go (one file per participant; git ignores data/logs).
WORKSHOP_LOGS ?= data/logs
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test lint typecheck unit quick shell bench workshop chromium clean help

help:
	@echo "make lab       JupyterLab on notebooks/ with the bundled sample data"
	@echo "make test      lint + types + the whole test suite (notebooks and browser tests included)"
	@echo "make unit      every test but the browser ones (no chromium needed)"
	@echo "make quick     the fast tests only (no notebooks, servers, browsers or subprocesses)"
	@echo "make lint      ruff: lint and format check"
	@echo "make typecheck mypy, strict, on hipnb/"
	@echo "make shell     a shell with .venv active, where \`hipnb\` and \`python\` are the project's"
	@echo "make bench     benchmarks, printed as ratios against a baseline measured in the same run"
	@echo "make workshop  a room: the big-screen timer, and every phone in the room follows it"
	@echo "make chromium  install Debian's chromium for the browser tests, if it is missing"
	@echo "make clean     remove .venv and caches"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "hipnb needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_QUIET) -e '.[dev]' 2>&1 | grep -v "is ignored: it is neither" || true
	$(BIN)/python -c 'import hipnb, pytest, ruff' 
	touch $@

# A save writes the kernel metadata the notebooks are committed with (hipnb/lab.py): a notebook
# only opened stays unchanged in git.
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --ip=$(HIPNB_HOST) --port=$(LAB_PORT) $(AS_ROOT) \
	  --ContentsManager.pre_save_hook=hipnb.lab.normalise_on_save $(LAB_ARGS)

# A workshop (hipnb room): the big screen on this computer and the participants' phones, on this
# computer's network address behind random tokens (the links are printed), no kernel. The page
# loads nothing from outside this machine.
workshop: $(STAMP)
	$(BIN)/hipnb room --logs $(WORKSHOP_LOGS) --routines data/routines --port $(PORT) $(WORKSHOP_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Strict on hipnb/; the few relaxed rules are listed, with their reasons, in pyproject.toml.
typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -m "not browser"

# The development loop: tests marked slow (notebooks, servers, browsers, subprocesses) are skipped.
quick: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q -p no:randomly

# A shell where `hipnb` and `python` are the project's (exit to leave). The same as
# `. .venv/bin/activate` in this shell.
shell: $(STAMP)
	@echo "hipnb's .venv is active; type exit to leave"
	@VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(BIN)):$$PATH $${SHELL:-/bin/sh} -i

test: lint typecheck chromium $(STAMP)
	$(BIN)/python -m pytest

# Browser tests drive Debian's chromium; install it once when it is missing.
chromium:
	@test -x $(CHROMIUM) || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@$(CHROMIUM) --version

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
