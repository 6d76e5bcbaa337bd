# The two commands of the README:
#   make run ARGS="dispatch --goal '…' --repo PATH"   set up, build, and run sparks
#   make test                                         set up, build, and run every test
SWIFT ?= swift
ARGS ?= --help

.PHONY: setup build run test clean

setup:
	@./scripts/setup.sh

build: setup
	$(SWIFT) build

run: build
	@$$($(SWIFT) build --show-bin-path)/sparks $(ARGS)

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
