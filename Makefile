# IS-Messenger: `make run` builds and serves on http://127.0.0.1:8080 (SQLite in ./data);
# `make test` runs every check and test. See README.md.

CARGO ?= cargo
BIND ?= 127.0.0.1:8080

.PHONY: run build test lint fmt openapi clean

run: build
	./target/release/ismessenger serve --bind $(BIND)

build:
	$(CARGO) build --release --locked --bin ismessenger

# Formatting, lints, unit tests, scenario tests (SQLite always; PostgreSQL too when
# TEST_DATABASE_URL is set) and the OpenAPI drift check (a test in the scenario suite).
test: lint
	$(CARGO) test --workspace --locked

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
