# 智能制造评估工具 — set-up and everyday commands.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PORT    ?= 8501
# Server mode (`make serve`, SFA_AUTH=required): every page needs a login (accounts: `python -m assessment users add`);
# it binds to ADDRESS, by default every interface.
SERVE_ADDRESS := $(if $(filter command line environment,$(origin ADDRESS)),$(ADDRESS),0.0.0.0)
# Local single-user mode (`make run`): the app listens on this machine only and has no accounts, so serving it on a
# network lets anyone who reaches the port read and change every record: use `make serve` for that.
ADDRESS ?= 127.0.0.1

.PHONY: install run serve test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m ui.fonts
	$(BIN)/streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

serve: $(STAMP)
	$(BIN)/python -m ui.fonts
	SFA_AUTH=required $(BIN)/streamlit run app.py --server.address $(SERVE_ADDRESS) --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# every test, with line coverage of the engine, store, reports and app helpers (the run fails below COV_FLOOR %)
COV_FLOOR ?= 85
test: $(STAMP)
	$(BIN)/python -m pytest --cov --cov-report=term:skip-covered --cov-fail-under=$(COV_FLOOR)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy over the engine, store, services (assessment/services), the command line (cli/) and reports (files listed in
# pyproject.toml)
typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	@$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
