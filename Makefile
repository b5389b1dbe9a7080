# Set-up and checks for rnnkit. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch first, pinned, so pip takes the local CPU build instead of a multi-GB CUDA one.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,serve]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/rnnkit demo
	@echo; echo '$$ rnnkit suggest "I go to "   (the bundled next-word model)'
	$(BIN)/rnnkit suggest "I go to "
	@echo; echo '$$ rnnkit suggest "I go to sch"'
	$(BIN)/rnnkit suggest "I go to sch"
	@echo; echo '$$ rnnkit sentiment "The battery died after two days and support never answered."'
	$(BIN)/rnnkit sentiment "The battery died after two days and support never answered."
	@echo; echo '$$ rnnkit sentiment --explain "I was worried at first, but this blender has been fantastic."'
	$(BIN)/rnnkit sentiment --explain "I was worried at first, but this blender has been fantastic."
	@echo; echo '$$ rnnkit tag "show me flights from boston to denver"'
	$(BIN)/rnnkit tag "show me flights from boston to denver"
	@echo; echo '$$ rnnkit translate "She is reading a book in the garden."'
	$(BIN)/rnnkit translate "She is reading a book in the garden."
	@echo; echo '$$ rnnkit generate "ROMEO:" --length 120 --temperature 0.8 --seed 1'
	$(BIN)/rnnkit generate "ROMEO:" --length 120 --temperature 0.8 --seed 1
	@echo; echo '$$ rnnkit generate --label Positive --seed 3'
	$(BIN)/rnnkit generate --label Positive --seed 3

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/padding.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
