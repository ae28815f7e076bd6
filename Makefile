# Breachdesk. `make run` serves the app; `make test` runs every check CI runs.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/breachdesk

.PHONY: run build demo test bench generate check-generated vet deps-run deps-test clean

run: deps-run build
	./$(BIN) serve

build:
	$(GO) build -o $(BIN) ./cmd/server

demo: deps-run build
	./$(BIN) demo

generate:
	$(GO) tool templ generate

# Fails when the committed templ output differs from what the .templ files generate.
check-generated: generate
	@if [ -n "$$(git status --porcelain -- '*_templ.go')" ]; then \
		echo "generated templ code is out of date; run 'make generate' and commit:"; \
		git status --porcelain -- '*_templ.go'; exit 1; fi

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

deps-run:
	@scripts/ensure-packages.sh postgres

deps-test:
	@scripts/ensure-packages.sh postgres chromium poppler

test: check-generated vet deps-test build
	scripts/test.sh

bench: deps-run build
	scripts/test.sh bench

clean:
	rm -rf bin .testdata
