# The two commands a newcomer needs:
#   make run    the app on an embedded SQLite file with demo data
#   make test   every test: format, lints, unit, integration, crash, browser
# Both install what is missing first (scripts/setup.sh).

SHELL := /bin/bash
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# cargo-leptos sets this when it builds; setting it for every cargo command
# keeps `cargo test` and `cargo leptos build` sharing one set of artifacts.
export LEPTOS_OUTPUT_NAME := bons

# The integration tests run a second time on PostgreSQL, one fresh database per
# test. Without a PostgreSQL server, `make test NO_POSTGRES=1` skips that half.
BONS_TEST_POSTGRES ?= postgres://postgres@127.0.0.1:5432
NO_POSTGRES ?=

.PHONY: run test setup setup-test setup-bench lint unit unit-postgres crash-test e2e e2e-release deploy-check container-check build release api-test bench

run: setup release
	./target/release/bons demo --history
	@echo
	@echo "  Ouvrez http://127.0.0.1:3000 sur un téléphone ou dans un navigateur (360 px de large suffisent)."
	@echo
	./target/release/bons serve

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh test

setup-bench:
	@scripts/setup.sh bench

# --split puts the supplier space and the back office in WASM chunks of their
# own, fetched when those pages are opened (app/src/split.rs): a member's
# phone downloads the member's pages only.
# --precompress writes .br and .gz beside every static file, chunks included:
# served as they are. Its gzip is a weak one (the WASM: 405 KB, against 355 KB
# for gzip -9): the .gz files are written again with gzip -9, for browsers
# without brotli.
release:
	cargo leptos build --release --precompress --split
	find target/site -type f ! -name '*.br' ! -name '*.gz' -exec gzip -9 --keep --force --no-name {} +

build:
	cargo leptos build --split

lint:
	cargo fmt --all -- --check
	cargo clippy -p app -p server -p bench --all-targets -- -D warnings
	cargo clippy -p frontend -p app --target wasm32-unknown-unknown -- -D warnings

# --show-output: the invariant tests print their figures (docs/RELIABILITY.md).
unit:
	cargo test -p app -p server -p bench -- --show-output

# The integration tests (server/tests) again, on PostgreSQL. The same packages
# as `unit`, so that features resolve alike and its build is reused (`-p server`
# alone built app and server a second time: four minutes of a cold run).
unit-postgres:
ifeq ($(NO_POSTGRES),)
	@pg_isready -q -d "$(BONS_TEST_POSTGRES)" || { echo "PostgreSQL does not answer at $(BONS_TEST_POSTGRES): start it, or run make test NO_POSTGRES=1" >&2; exit 1; }
	BONS_TEST_DATABASE_URL="$(BONS_TEST_POSTGRES)" cargo test -p app -p server -p bench --test '*' -- --show-output
else
	@echo "NO_POSTGRES set: integration tests on PostgreSQL skipped"
endif

# The release server under load, killed with SIGKILL 20 times and restarted:
# every use a phone saw acknowledged must still be there, numbers gapless.
# On PostgreSQL, two servers share the database (phones spread over both),
# killed one at a time while the other serves.
CRASH_TEST = cargo run --release -p bench --bin crash-test --

crash-test: release
	$(CRASH_TEST) --backend sqlite
ifeq ($(NO_POSTGRES),)
	@pg_isready -q -d "$(BONS_TEST_POSTGRES)" || { echo "PostgreSQL does not answer at $(BONS_TEST_POSTGRES): start it, or run make crash-test NO_POSTGRES=1" >&2; exit 1; }
	$(CRASH_TEST) --backend postgres --servers 2 --postgres "$(BONS_TEST_POSTGRES)"
else
	@echo "NO_POSTGRES set: crash test on PostgreSQL skipped"
endif

# The browser suite on the debug build (quick to rebuild while working).
e2e:
	scripts/e2e.sh

# The browser suite on the release build `make release` wrote (the one
# `make run` serves): what `make test` runs, after the crash test built it,
# without building the debug WASM as well.
e2e-release:
	BONS_E2E_BUILD=release scripts/e2e.sh

# deploy/ read by the tools that run it: systemd-analyze verify on the unit,
# caddy validate on the Caddyfile, then Caddy with that file in front of the
# release server (the release binary `make release` wrote).
deploy-check:
	scripts/deploy-check.sh

# deploy/Containerfile built and its image run (healthy, pages and site files,
# not root, demo, JSON logs, clean stop). Not in `make test`: a cold image
# build takes about 40 minutes. BONS_IMAGE=<tag> checks a built image.
container-check:
	scripts/container-check.sh

# Schemathesis against the debug server: every check on /api/v1/openapi.json.
api-test:
	scripts/api-test.sh

# Each stage in turn, stopping at the first that fails; each says how long
# it took, so a slow CI run names its slow stage.
TEST_STAGES = setup-test lint unit unit-postgres crash-test e2e-release deploy-check api-test

test:
	@for stage in $(TEST_STAGES); do \
	  start=$$(date +%s); \
	  $(MAKE) --no-print-directory $$stage || exit 1; \
	  echo "==> make $$stage: $$(( $$(date +%s) - start )) s"; \
	done
	@echo "make test: all suites passed"

# The performance budget (docs/PERFORMANCE.md): builds the release, then
# measures on loopback, SQLite and PostgreSQL in one run, and writes the
# figures to docs/PERFORMANCE.md; the counter on a throttled phone runs in
# Chromium (end2end/bench/counter.mjs). A benchmark, not a test: it fails only
# when it cannot run. `make bench NO_POSTGRES=1` measures SQLite only.
BENCH = cargo run --release -p bench --bin bench --

bench: setup-bench release
ifeq ($(NO_POSTGRES),)
	@pg_isready -q -d "$(BONS_TEST_POSTGRES)" || { echo "PostgreSQL does not answer at $(BONS_TEST_POSTGRES): start it, or run make bench NO_POSTGRES=1" >&2; exit 1; }
	$(BENCH) --postgres "$(BONS_TEST_POSTGRES)"
else
	$(BENCH) --no-postgres
endif
