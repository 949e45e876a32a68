# wirewatch: the two commands a newcomer needs are `make demo` and `make test`.
# Both create ./.venv and install wirewatch into it on first use.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
WW      = $(VENV)/bin/wirewatch
OUT    ?= wirewatch-out
CORPUS ?= ../shared/corpus

.PHONY: install demo batch-demo test slow corpus-run corpus-normalise alerts-2020-05 clean

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

## Issue 4's corpus run: the whole pipeline over the shared corpus (about 7 minutes).
corpus-run: install
	$(WW) run --output corpus-out --input $(CORPUS)/feeds/outlets-2020-05 \
	  $(CORPUS)/feeds/broken-captures $(CORPUS)/feeds/wires-2026 \
	  $(CORPUS)/fixtures/feedparser/illformed $(CORPUS)/fixtures/feedparser/encoding

## Which countries alert on which days over outlets-2020-05 (about 5 minutes): the README's
## alert grid, and its report (alerts-2020-05/report.html).
alerts-2020-05: install
	$(WW) run --output alerts-2020-05 --capture-time-from-filename \
	  --input $(CORPUS)/feeds/outlets-2020-05
	$(PY) bench/alert_grid.py alerts-2020-05 --markdown
	$(WW) report alerts-2020-05 --html alerts-2020-05/report.html

## Normalisation alone over the corpus, per folder (pure functions, no Beam).
corpus-normalise: install
	$(PY) bench/corpus_normalise.py $(CORPUS)

clean:
	rm -rf $(OUT) build dist *.egg-info .pytest_cache
