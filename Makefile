# Every target makes its own virtual environment in .venv on first use: a fresh clone needs
# nothing but Python 3.11+. The README names each target once.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test generate check-generated validate-specs lint typecheck bench docs docs-screenshot ci clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,progress,docs]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)  ## the main job: a bulk run against the bundled loopback server
	$(BIN)/python -m aioautoml.demo

test: $(STAMP)  ## the test suite
	$(BIN)/python -m pytest -q

generate: $(STAMP)  ## specs/ -> generated/
	$(BIN)/python codegen/generate.py

check-generated: $(STAMP)  ## regenerate into a scratch folder and diff with generated/
	$(BIN)/python codegen/generate.py --check

validate-specs: $(STAMP)  ## the transcribed specs (not the overlays beside them)
	$(BIN)/openapi-spec-validator $(filter-out %.overlay.yaml,$(wildcard specs/*/*.yaml))

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict src tests

bench: $(STAMP)  ## timing and memory claims, measured side by side
	$(BIN)/python bench/run.py

docs: $(STAMP)  ## the API reference in docs/site (pdoc; warnings fail the build)
	$(BIN)/python docs/build.py

docs-screenshot: $(STAMP)  ## the qlik.ml reference page as Chromium shows it, in docs/qlik-ml.png
	$(BIN)/python docs/build.py --screenshot docs/qlik-ml.png

ci: check-generated validate-specs lint typecheck docs test

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
