# STEM-Alliantiewijzer: `make run` and `make test` are the contract (see README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# torch first, pinned: a bare torch requirement would pull a multi-GB CUDA build.
TORCH := torch==2.13.0
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test test-fast ingest eval bench app clean help

help:
	@echo "make run     installeer, indexeer corpus/ en start de app op http://127.0.0.1:$${ALLIANTIEWIJZER_PORT:-7860}"
	@echo "make test    installeer (met testpakketten) en draai de tests"
	@echo "make test-fast  alleen de snelle tests (zonder volledige index, app en browser)"
	@echo "make ingest  indexeer corpus/ (incrementeel)"
	@echo "make eval    meet de kwaliteit (evals/report.md)"
	@echo "make bench   meet snelheid en geheugen (benchmarks/results.json)"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is nodig ($(PYTHON) niet gevonden)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet $(TORCH)
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install --quiet -e '.[dev]'
	@touch $@

ingest: $(VENV)/.installed
	$(BIN)/alliantiewijzer ingest --rebuild-if-needed || [ $$? -eq 2 ]

run: ingest
	$(BIN)/python app.py

eval: $(VENV)/.installed
	$(BIN)/python evals/run.py

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q

test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -m "not slow"

clean:
	rm -rf data/index tests/artifacts .pytest_cache .cache evals/tmp benchmarks/tmp
