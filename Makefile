# The two commands of the README: `make demo` and `make test`. Both create .venv, install the
# project into it and make sure Graphviz's `dot` is there (apt-get, when missing and allowed);
# `make test` also installs what the tests need, Debian's Chromium for the browser tests included.
# Set NO_APT=1 to never call apt-get; PYTHON=python3.12 to pick the interpreter.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUM    := $(shell cksum < pyproject.toml | cut -d' ' -f1)
OUT    ?= out
# pip's -q still prints build-backend notices (setuptools' "Editable installation" banner, which
# any package-dir mapping such as demos/ -> deltagrad.demos triggers); -qq prints errors only.
QUIET  := -qq

.PHONY: demo test bench notebook wheel-check venv graphviz chromium clean

demo: $(VENV)/.demo-$(SUM) graphviz
	$(BIN)/deltagrad tour --out $(OUT)

test: $(VENV)/.test-$(SUM) graphviz chromium
	$(BIN)/python -m pytest -q

bench: $(VENV)/.test-$(SUM)
	$(BIN)/pip install $(QUIET) '.[bench]'
	$(BIN)/python -m benchmarks

# Run demos/tutorial.ipynb top to bottom and store its outputs in it (a test checks they are
# current).
notebook: $(VENV)/.test-$(SUM) graphviz
	$(BIN)/python -m tests.demos.notebook_outputs

# A wheel installed in a fresh environment outside the checkout runs every command, the tour too.
wheel-check: $(VENV)/.test-$(SUM) graphviz
	@rm -rf build/wheel-check && mkdir -p build/wheel-check
	@# -q, not -qq: the build must print no setuptools warning (a data folder left out of packages)
	$(BIN)/pip wheel -q --no-deps . -w build/wheel-check/dist >build/wheel-check/build.log 2>&1 \
	  || { cat build/wheel-check/build.log; exit 1; }
	@! grep -n "BuildBackendWarning\|SetuptoolsWarning\|SetuptoolsDeprecationWarning" \
	  build/wheel-check/build.log
	$(PYTHON) -m venv build/wheel-check/venv
	build/wheel-check/venv/bin/pip install $(QUIET) build/wheel-check/dist/*.whl
	cd /tmp && $(CURDIR)/build/wheel-check/venv/bin/deltagrad tour --quick --out $(CURDIR)/build/wheel-check/out
	test -s build/wheel-check/out/index.html
	cd /tmp && $(CURDIR)/build/wheel-check/venv/bin/python -c "from deltagrad.playground import page; \
	  assert all(page.asset(path)[0] for path in page.ASSETS), 'the playground serves an empty file'"

venv: $(VENV)/.test-$(SUM)

$(VENV)/bin/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python venv is missing: installing it (python3-venv)"; \
	  ./.ci/apt-install python3-venv "python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv" \
	  && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install $(QUIET) --upgrade pip

# What the demos need (the plots), and what the tests need on top; each stamp names the
# pyproject.toml it installed, so an edit to it installs again.
$(VENV)/.demo-$(SUM): pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install $(QUIET) -e '.[plot]'
	@rm -f $(VENV)/.demo-* && touch $@

$(VENV)/.test-$(SUM): pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install $(QUIET) -e '.[plot,test]'
	@rm -f $(VENV)/.test-* $(VENV)/.demo-* && touch $@ $(VENV)/.demo-$(SUM)

# Graphviz's `dot` renders the pictures. Without it everything still runs and writes .dot files.
graphviz:
	@command -v dot >/dev/null 2>&1 || ./.ci/apt-install graphviz || \
	  echo "note: Graphviz's dot is not installed; pictures are written as .dot sources (install: sudo apt-get install graphviz, or brew install graphviz)"

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || ./.ci/apt-install chromium || \
	  echo "note: Chromium is not installed; the browser tests will be skipped (install: sudo apt-get install chromium)"

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info .pytest_cache .hypothesis
