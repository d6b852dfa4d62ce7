# Two entry points: `make build` and `make test`. Each creates .venv when needed.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: build test lint validate clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

build: $(STAMP)
	$(VENV)/bin/evidence build

test: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks tools
	$(VENV)/bin/evidence validate
	$(PY) -m pytest -n 2 --dist loadfile --nbval --nbval-sanitize-with notebooks/sanitize.cfg --nbval-current-env

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks tools

validate: $(STAMP)
	$(VENV)/bin/evidence validate

clean:
	rm -rf build
