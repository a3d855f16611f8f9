# IS-Messenger: `make run` builds and serves on http://127.0.0.1:8080 (SQLite in ./data);
# `make test` runs every check and test. See README.md.

CARGO ?= cargo
NPM ?= npm
BIND ?= 127.0.0.1:8080
WEB := web-client

.PHONY: run build web test test-rust test-web lint fmt openapi clean bench bench-small

run: build
	./target/release/ismessenger serve --bind $(BIND)

build: web
	$(CARGO) build --release --locked --bin ismessenger

# The SPA and the widget script into web-client/dist (served by the binary at `/`).
web: $(WEB)/node_modules/.installed
	$(NPM) --prefix $(WEB) run build

$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	$(NPM) --prefix $(WEB) ci --no-audit --no-fund
	touch $@

test: test-rust test-web

# Formatting, lints, unit tests, scenario tests (SQLite always; PostgreSQL too when
# TEST_DATABASE_URL is set) and the OpenAPI drift check (a test in the scenario suite).
test-rust: lint
	$(CARGO) test --workspace --locked
	$(MAKE) bench-small

# The benchmark suite (takes minutes; not part of `make test`): builds in release, starts the
# real server on a fresh SQLite database, and on PostgreSQL too when BENCH_DATABASE_URL names a
# server where the role may create databases. Prints one table and writes bench/results/*.json.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--backend sqlite --messages 5000".
bench:
	$(CARGO) build --release --locked --bin ismessenger --bin ism-floor --bin ism-bench
	$(CARGO) run --release --locked --quiet --bin ism-bench -- $(BENCH_ARGS)

# A small run of the suite, only so it keeps working: every correctness check (each message
# stored once with its event, every SSE delivery), no timing judged. Uses PostgreSQL too when
# BENCH_DATABASE_URL or TEST_DATABASE_URL is set.
bench-small:
	$(CARGO) build --locked --bin ismessenger --bin ism-floor --bin ism-bench
	BENCH_DATABASE_URL="$${BENCH_DATABASE_URL:-$$TEST_DATABASE_URL}" $(CARGO) run --locked --quiet --bin ism-bench -- --small

# The web client: typecheck, eslint, component tests (Vitest), build, then the browser tests
# (Playwright in /usr/bin/chromium) against the real binary on a fresh SQLite database.
test-web: $(WEB)/node_modules/.installed
	$(CARGO) build --locked --bin ismessenger
	cd $(WEB) && $(NPM) run typecheck && $(NPM) run lint && $(NPM) run test:unit
	$(NPM) --prefix $(WEB) run build
	cd $(WEB) && ISM_BIN=../target/debug/ismessenger $(NPM) run test:e2e

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

# Regenerates the committed OpenAPI document after an API change.
openapi:
	$(CARGO) run --quiet --locked --bin ismessenger -- openapi > openapi/openapi.json

clean:
	$(CARGO) clean
