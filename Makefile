# Two commands on a fresh machine: `make demo` runs the whole product, `make test` the tests.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint install bench clean

demo: $(VENV)/.installed
	$(VENV)/bin/fumidai demo

test: lint
	$(PY) -m pytest -n 2 --dist loadfile -q

# The layers of docs/internals.md as import-linter contracts ([tool.importlinter] in pyproject.toml).
lint: $(VENV)/.installed
	$(VENV)/bin/lint-imports

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml setup.py app/fumidai/postfix/_speedups.c
	@PYTHON=$$(scripts/find-python) && echo "using $$PYTHON" && "$$PYTHON" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[desk,dev]'
	touch $@

bench: $(VENV)/.installed
	$(PY) bench/policy_server.py

clean:
	rm -rf $(VENV) build dist app/*.egg-info
