# The two commands of the README: `make demo` and `make test`. Both create .venv, install the
# project into it and make sure Graphviz's `dot` is there (apt-get, when missing and allowed).
# Set NO_APT=1 to never call apt-get; PYTHON=python3.12 to pick the interpreter.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
OUT    ?= out

.PHONY: demo test bench venv graphviz chromium clean

demo: $(STAMP) graphviz
	$(BIN)/deltagrad tour --out $(OUT)

test: $(STAMP) graphviz chromium
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/pip install -q '.[bench]'
	$(BIN)/python -m benchmarks

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python venv is missing: installing it (python3-venv)"; \
	  ./.ci/apt-install python3-venv "python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv" \
	  && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $@

# Graphviz's `dot` renders the pictures. Without it everything still runs and writes .dot files.
graphviz:
	@command -v dot >/dev/null 2>&1 || ./.ci/apt-install graphviz || \
	  echo "note: Graphviz's dot is not installed; pictures are written as .dot sources (install: sudo apt-get install graphviz, or brew install graphviz)"

# Debian's Chromium runs the playground's browser tests (Playwright drives it; it never downloads one).
chromium:
	@command -v chromium >/dev/null 2>&1 || ./.ci/apt-install chromium || \
	  echo "note: chromium is not installed; the playground's browser tests are skipped (install: sudo apt-get install chromium)"

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info .pytest_cache .hypothesis
