# Every target runs exactly what CI runs. `make pdf` and `make test` bootstrap what they need.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared
# No earlier than the newest post (2024-04-15): the sample must not look made before its own posts.
export SOURCE_DATE_EPOCH ?= 1717200000

.PHONY: pdf test check bench bench-scale realworld roundtrip golden lock clean sysdeps fuzz

pdf: $(STAMP) sysdeps
	@mkdir -p build
	$(BIN)/guide build . -o build/guide.pdf

test: $(STAMP) sysdeps
	$(BIN)/pytest -q

check: $(STAMP)
	$(BIN)/ruff check guide tests benchmarks
	$(BIN)/ruff format --check guide tests benchmarks
	$(BIN)/mypy

# The real corpus beside the project (WordPress exports, feeds, Jekyll posts): import and build each.
realworld: $(STAMP) sysdeps
	@if [ -d "$(SHARED)/realworld" ]; then \
		GUIDE_REALWORLD="$(abspath $(SHARED))/realworld" $(BIN)/pytest -q -m realworld tests/realworld; \
	else \
		echo "realworld: $(SHARED)/realworld not found, skipped"; \
	fi

# How many posts of the real corpus render as their source after import (a report, not a test).
roundtrip: $(STAMP)
	GUIDE_REALWORLD="$(abspath $(SHARED))/realworld" $(BIN)/python scripts/roundtrip.py

# guide's modules compiled first, as an installed package's are (pip compiles at install; with
# PYTHONDONTWRITEBYTECODE set, every build would compile them again, which WeasyPrint's never pays).
bench: $(STAMP) sysdeps
	$(BIN)/python -m compileall -q guide
	$(BIN)/python benchmarks/run.py

# How the parallel builds scale: 500 posts, one round, no warm-up (about 4 bare WeasyPrint runs).
SCALE_SIZES ?= 500
bench-scale: $(STAMP) sysdeps
	$(BIN)/python -m compileall -q guide
	$(BIN)/python benchmarks/run.py --quick --sizes $(SCALE_SIZES)

# Not in CI: generated pathological projects against check and build, each in a capped subprocess.
FUZZ_MINUTES ?= 20
fuzz: $(STAMP) sysdeps
	GUIDE_REALWORLD="$(abspath $(SHARED))/realworld" nice -n 10 $(BIN)/python -m tests.fuzz --minutes $(FUZZ_MINUTES)

# The reviewed HTML of the fixture project, and the sample's pages as PNG in build/golden/ (look at them).
golden: $(STAMP) sysdeps
	$(BIN)/python -m tests.golden

sysdeps:
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -qq --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -qq --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@
	@echo "installed the guide command: $(BIN)/guide ('source $(BIN)/activate' puts it on your PATH)"

# Re-resolve the pins from pyproject.toml's ranges (run by hand, then review the diff).
lock:
	rm -rf /tmp/guide-lock && $(PYTHON) -m venv /tmp/guide-lock
	/tmp/guide-lock/bin/pip install -q '.[dev]' hatchling editables
	/tmp/guide-lock/bin/pip freeze --exclude guide > requirements.lock

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
