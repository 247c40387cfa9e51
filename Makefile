# The two commands that matter: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

TIME ?= 600

.PHONY: install lock generate check run test fuzz fuzz-contracts features corpus bench mutation clean

# Every dependency comes from requirements.lock (exact versions, hashes checked), so the generated code
# does not change with the day you install; `make lock` refreshes it from pyproject.toml's ranges.
$(INSTALLED): pyproject.toml requirements.lock runtime/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e runtime -e . --config-settings editable_mode=compat
	touch $@

install: $(INSTALLED)

LOCK_OPTIONS := --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 --no-header --quiet
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev $(LOCK_OPTIONS) --no-emit-package specgen-runtime \
		-o requirements.lock
	$(BIN)/uv pip compile runtime/pyproject.toml $(LOCK_OPTIONS) --constraint requirements.lock \
		-o runtime/requirements.lock  # the same versions the tests ran on

generate: install
	$(BIN)/specgen generate

check: install
	$(BIN)/specgen validate
	$(BIN)/specgen generate --check
	$(BIN)/ruff check runtime generator custom tests corpus
	$(BIN)/ruff format --check runtime generator custom tests corpus
	$(BIN)/mypy runtime/specgen_runtime generator generated custom corpus
	$(BIN)/lint-imports

# A random development secret, created once and never committed (.gitignore).
.env: | install
	$(BIN)/python -c "import secrets; print('JWT_SECRET=' + secrets.token_urlsafe(48))" > $@
	@echo "wrote a development JWT_SECRET to .env"

run: install .env
	$(BIN)/specgen generate
	$(BIN)/specgen upgrade
	$(BIN)/specgen serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest

# A long schemathesis run against the example: make fuzz TIME=1800
fuzz: install
	$(BIN)/specgen fuzz --time $(TIME)

# Hostile text in every string position of a contract, beyond make test's 2,000 + 100 cases:
# make fuzz-contracts CASES=20000 BOOTS=1000
CASES ?= 20000
BOOTS ?= 500
fuzz-contracts: install
	SPECGEN_FUZZ_CONTRACTS=$(CASES) SPECGEN_FUZZ_BOOTS=$(BOOTS) $(BIN)/pytest -p no:cacheprovider tests/security/test_contract_fuzz.py

features: install
	$(BIN)/specgen features

# mutmut over the runtime's protections (auth, statements, repository, body, problems) against
# tests/security and tests/e2e on SQLite, in a copy of the tree; prints the score and each survivor.
# Slow (see docs/security.md, "Mutation testing"): one file at a time with
# make mutation MUTATE=runtime/specgen_runtime/body.py; MINUTES=30 stops it then (run again to go on)
MUTATE ?=
MINUTES ?= 0
mutation: install
	$(BIN)/python -m tests.mutation --minutes $(MINUTES) $(if $(MUTATE),--files $(MUTATE))

# specgen, fastapi-code-generator and openapi-generator on the foreign-contract corpus (slow, not part of
# `make test`): fetches the sdists and the peers' venv into .corpus-cache/, writes docs/corpus.md.
corpus: install
	$(BIN)/python -m corpus.run $(CORPUS_ARGS)

# Every performance figure, written to docs/performance.md (needs wrk and Java; fetches GitHub's contract,
# openapi-spec-validator's sdist (Stripe's and GitHub's contracts) and openapi-generator into bench/.cache/).
# Run it on an otherwise idle machine: it takes about half an hour.
bench: install
	command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache app.db app.db-* .corpus-cache
