# Two commands on a fresh machine: `make demo` runs the whole product, `make test` the tests.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint install bench dist clean

demo: $(VENV)/.installed
	$(VENV)/bin/fumidai demo

# A worker that crashed (or that a hung test's timeout ended: tests/conftest.py) is not replaced:
# pytest-xdist 3.8 with --dist loadfile can deadlock replacing one, and the run would hang instead of
# failing with the crash in the log.
test: lint
	$(PY) -m pytest -n 2 --dist loadfile --max-worker-restart 0 -q

# The layers of docs/internals.md as import-linter contracts ([tool.importlinter] in pyproject.toml).
lint: $(VENV)/.installed
	$(VENV)/bin/lint-imports

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml setup.py app/fumidai/postfix/_speedups.c
	@PYTHON=$$(scripts/find-python) && echo "using $$PYTHON" && "$$PYTHON" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[desk,demo,dev]'
	touch $@

# dist/fumidai-VERSION.tar.gz and the wheel (with the C parser, so tagged for this Python and
# machine, e.g. fumidai-0.1.0-cp312-cp312-linux_x86_64.whl), built from the sdist: what
# docs/deploy.md installs. Needs gcc and the Python headers; not the development venv (the
# build tools live in build/dist-venv, kept between runs: no isolated download every time).
dist:
	@PYTHON=$$(scripts/find-python) && echo "using $$PYTHON" && "$$PYTHON" -m venv build/dist-venv
	build/dist-venv/bin/python -m pip install --quiet build 'setuptools>=77' wheel
	rm -f dist/fumidai-*
	build/dist-venv/bin/python -m build --no-isolation --outdir dist .

bench: $(VENV)/.installed
	$(PY) bench/policy_server.py

clean:
	rm -rf $(VENV) build dist app/*.egg-info
