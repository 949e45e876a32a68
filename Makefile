# wirewatch: the two commands a newcomer needs are `make demo` and `make test`.
# Both create ./.venv and install wirewatch into it on first use.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
WW      = $(VENV)/bin/wirewatch
OUT    ?= wirewatch-out
CORPUS ?= ../shared/corpus

.PHONY: install demo batch-demo test test-all slow bench eval clean

$(VENV)/.installed: setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

## The main job on the bundled sample (see README).
demo: install
	$(WW) demo --output $(OUT)

## Batch only: `wirewatch run` over the bundled sample feeds.
batch-demo: install
	$(WW) run --output $(OUT)

## The test suite (what .ci/run calls).
test: install
	$(PY) -m pytest -q

## Slow tests over ../shared/corpus (skipped cleanly when it is absent).
slow: install
	$(PY) -m pytest -q -m slow

clean:
	rm -rf $(OUT) build dist *.egg-info .pytest_cache
