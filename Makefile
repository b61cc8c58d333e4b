# nptsc-eval: raw data → nptsc_eval package → notebooks → book.
# Every target is a thin wrapper over the `nptsc-eval` command line. `make` lists them.

.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?=
SURVEY ?=
SURVEY_CLEARANCE ?=
BUILD_ARGS := $(if $(JOBS),--jobs $(JOBS)) $(if $(SURVEY),--survey $(SURVEY)) \
	$(if $(SURVEY_CLEARANCE),--survey-clearance $(SURVEY_CLEARANCE))

## help: list the targets
.PHONY: help
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  /' -e 's/: / — /'

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name nptsc-eval --display-name "Python 3 (nptsc-eval)" >/dev/null
	@touch $(STAMP)

## install: create .venv with the pinned dependencies and the nptsc_eval package
.PHONY: install
install: $(STAMP)

## report: build the whole report into _build/html/ and its PDF into _build/pdf/ (SURVEY=path/to/export.csv to use a real survey; SURVEY_CLEARANCE=file clears its free-text answers)
# The PDF needs chromium; without it the report is the HTML book alone, and the command says so.
# It is made again only when the book changed (so `make test` reuses it).
CHROMIUM ?= /usr/bin/chromium
.PHONY: report
report: $(STAMP)
	$(BIN)/nptsc-eval build $(BUILD_ARGS)
	@if [ -x "$(CHROMIUM)" ]; then CHROMIUM="$(CHROMIUM)" $(BIN)/nptsc-eval pdf $(BUILD_ARGS); \
	else echo "PDF not made: no chromium at $(CHROMIUM) (apt-get install chromium, or set CHROMIUM)"; fi

## rebuild: run every notebook again and rebuild the book from scratch
.PHONY: rebuild
rebuild: $(STAMP)
	$(BIN)/nptsc-eval build --force $(BUILD_ARGS)

## test: run every test (unit, nbval, build and browser tests), on TEST_JOBS processes
# A notebook's nbval cells must run in order in one kernel, so whole files go to each process,
# in the order collected (tests/conftest.py puts the longest files first).
TEST_JOBS ?= 2
.PHONY: test
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder

## check: lint (ruff), type-check (mypy) and the fast unit and data tests, in a minute or less
.PHONY: check
check: $(STAMP)
	$(BIN)/ruff check src tests benchmarks book/_ext
	$(BIN)/mypy
	$(MAKE) --no-print-directory check-tests

# The fast lane of tests: no notebook runs, no book build, no browser (the package's doctests
# run in tests/unit/test_doctests.py).
FAST_TESTS ?= tests/unit tests/data
.PHONY: check-tests
check-tests: $(STAMP)
	$(BIN)/python -m pytest -q -p no:nbval -p no:cacheprovider -o addopts="-ra" -n $(TEST_JOBS) --dist worksteal \
		$(FAST_TESTS) -m "not build and not papermill and not browser and not slow"

## fixtures: write the real-layout survey export fixtures again (tests/fixtures/survey/make_real_exports.py)
.PHONY: fixtures
fixtures: $(STAMP)
	$(BIN)/python tests/fixtures/survey/make_real_exports.py

## check-data: validate every file in data/raw/
.PHONY: check-data
check-data: $(STAMP)
	$(BIN)/nptsc-eval check-data

## refresh: re-execute the notebooks in place so their stored outputs match the data (for nbval)
.PHONY: refresh
refresh: $(STAMP)
	$(BIN)/nptsc-eval refresh

## lab: open JupyterLab on the project's kernel
.PHONY: lab
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

## pdf: the whole book as one PDF in _build/pdf/
.PHONY: pdf
pdf: $(STAMP)
	$(BIN)/nptsc-eval pdf

## bench: run the benchmarks (build, survey, survey bounds and draws) and write BENCHMARKS.md
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/survey_bounds.py --out BENCHMARKS.md

## clean: remove built and processed files (raw data and notebooks stay); waits for a running build
# The build lock (.build.lock) lives outside what clean removes, so a build started after
# `make clean` still waits for one already running. clean takes the lock itself (with
# flock, where the system has it) so it never deletes files under a running build.
LOCK := .build.lock
FLOCK := $(if $(shell command -v flock 2>/dev/null),flock $(LOCK),)
.PHONY: clean
clean:
	$(FLOCK) rm -rf _build book/executed
	$(FLOCK) find data/processed -type f ! -name README.md -delete
