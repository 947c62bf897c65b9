# Two commands set everything up:  `make run` (install + start the bot)  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

SETUP_SCRIPTS := $(sort $(wildcard scripts/setup/*.sh))

.PHONY: install setup run test lint bench clean

INSTALL_LOG := var/log/install.log

# One line of summary; pip's own output goes to $(INSTALL_LOG) (its tail is shown if it fails).
$(STAMP): pyproject.toml
	@mkdir -p $(dir $(INSTALL_LOG))
	@echo "install: setting up $(VENV)/ (full log: $(INSTALL_LOG)) ..."
	@{ $(PYTHON) -m venv $(VENV) && $(BIN)/pip install --upgrade pip \
		&& $(BIN)/pip install -e '.[test]'; } >$(INSTALL_LOG) 2>&1 \
		|| { tail -25 $(INSTALL_LOG); echo "install: failed, see $(INSTALL_LOG)"; exit 1; }
	@touch $(STAMP)
	@echo "install: ArchBot and $$($(BIN)/pip list --format=freeze 2>/dev/null | wc -l) packages in $(VENV)/"

install: $(STAMP)

# Tools beyond Python that the tests need (emulators, browser, web bundle): see scripts/setup/.
setup: $(STAMP)
	@for script in $(SETUP_SCRIPTS); do bash $$script || exit 1; done

run: $(STAMP)
	@bash scripts/setup/20-webchat.sh || true
	@echo "run: web page http://$${HOST:-127.0.0.1}:$${PORT:-3978}/ · terminal: $(BIN)/archbot chat · Ctrl+C stops"
	@$(BIN)/archbot serve --host $${HOST:-127.0.0.1} --port $${PORT:-3978}

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
