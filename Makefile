# Two commands set everything up:  `make run` (install + start the bot)  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

SETUP_SCRIPTS := $(sort $(wildcard scripts/setup/*.sh))

.PHONY: install setup run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Tools beyond Python that the tests need (emulators, browser, web bundle): see scripts/setup/.
setup: $(STAMP)
	@for script in $(SETUP_SCRIPTS); do bash $$script || exit 1; done

run: $(STAMP)
	bash scripts/setup/20-webchat.sh || true
	$(BIN)/archbot serve --host $${HOST:-127.0.0.1} --port $${PORT:-3978}

test: $(STAMP) setup
	$(BIN)/ruff check .
	$(BIN)/archbot kb check
	$(BIN)/pytest -q

# Benchmarks (bench/README.md): load vs the samples' echo bot and raw aiohttp, cold start, memory,
# router scaling. Prints the table, writes bench/results/*.json; ~9 minutes, asserts no timing.
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
