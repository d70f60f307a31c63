# ArchGym: `make demo` runs the main job, `make test` the test suite.
# Both create .venv and install everything on first use (CPU-only torch).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEMO_OUT ?= runs/demo

.PHONY: install demo test lint typecheck bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# CPU build of torch first, so nothing pulls the multi-GB CUDA wheels.
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[test,ray]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/archgym sweep experiments/demo.yaml --out $(DEMO_OUT) --workers 2
	$(VENV)/bin/archgym report $(DEMO_OUT)

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(MAKE) --no-print-directory typecheck
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# mypy sees the installed layout (envs/, agents/, simulators/ inside archgym/)
# through a folder of symbolic links, so every module is checked under its real name.
TYPECHECK := build/typecheck
typecheck: $(STAMP)
	rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)/archgym
	ln -s $(CURDIR)/archgym/* $(TYPECHECK)/archgym/
	for d in envs agents simulators; do ln -s $(CURDIR)/$$d $(TYPECHECK)/archgym/$$d; done
	cd $(TYPECHECK) && $(CURDIR)/$(VENV)/bin/mypy --config-file $(CURDIR)/pyproject.toml -p archgym

bench: $(STAMP)
	for b in benchmarks/*_speed.py benchmarks/env_overhead.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) runs build *.egg-info
