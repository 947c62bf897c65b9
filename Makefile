# Two commands set everything up:  `make run` (install + start the bot)  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/archbot serve --host $${HOST:-127.0.0.1} --port $${PORT:-3978}

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/archbot kb check
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
