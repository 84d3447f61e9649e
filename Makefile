# The two commands of the README. Each sets up .venv first (idempotent).
PY := .venv/bin/python

.PHONY: setup demo test
setup:
	bash scripts/setup_env.sh

demo: setup
	$(PY) scripts/demo.py

test: setup
	$(PY) -m pytest tests
