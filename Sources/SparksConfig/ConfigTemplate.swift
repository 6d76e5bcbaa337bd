/// The commented `config.toml` that `sparks init` writes. Every key is shown with its default.
public enum ConfigTemplate {
    public static let text = """
    # Sparks configuration.
    # Precedence, lowest first: built-in defaults < this file < ./sparks.toml (or --config FILE)
    #   < SPARKS_* environment variables < command-line flags.
    # Every key can be overridden by an environment variable named after it, for example
    #   llm.model -> SPARKS_LLM_MODEL, agent.max_steps -> SPARKS_AGENT_MAX_STEPS.
    # Check this file with `sparks config check`; see the merged result with `sparks config show`.

    [llm]
    # openai | openrouter | ollama | zen | local (a llama.cpp server on 127.0.0.1:8080).
    # The provider only sets defaults for base_url, model and api_key_env; any
    # OpenAI-compatible endpoint works by setting base_url.
    provider = "openai"
    # base_url = "https://api.openai.com/v1"
    # model = "gpt-4o-mini"
    # The API key is read from SPARKS_LLM_API_KEY, else from the variable named here.
    # Never write the key itself into this file.
    # api_key_env = "OPENAI_API_KEY"
    # timeout_secs = 120        # per request
    # max_retries = 3           # on 429, 5xx and timeouts, with exponential backoff
    # context_window = 128000   # tokens; history is compacted at 80 %
    # max_tokens = 4096         # per answer
    # temperature = 0.2
    # tool_mode = "auto"        # auto | native | json (JSON-in-text for models without tools) | constrained
    # structured_output = "json_schema"   # none | json_schema | json_object_schema (llama.cpp)

    # provider = "local": Sparks starts llama-cpp-python's server itself (scripts/local-model.sh
    # installs it and SmolLM2-135M-Instruct; `make run` does it all).
    # [local_model]
    # model_path = "~/.sparks/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    # python = "~/.sparks/venv/bin/python3"
    # manage = true             # false: only connect to a server you run
    # context_size = 8192
    # threads = 2

    [agent]
    # max_steps = 30            # model turns per task before a summary is requested
    # dispatch_wait_secs = 1800 # default for `sparks dispatch --wait`

    [agent.loop_guard]
    # enabled = true
    # window_size = 12          # recent tool calls remembered
    # repeat_threshold = 2      # identical calls (same tool, same arguments) that trip the guard

    [tools]
    # max_output_chars = 16000  # longer tool output is cut with a marker

    [workspace]
    # non_git = "refuse"        # refuse | copy: a directory that is not a git repository is copied for the task

    # [store]
    # path = "~/.sparks/sparks.db"

    [orchestrator]
    # autonomy = 3              # 0 observe, 1 remember, 2 suggest (read-only sparks), 3 act in a worktree,
    #                           # 4 also merge work whose verification passed (features at low risk)
    # route_chat = true         # chat messages are routed (answer, lookup or task); false = plain chat

    [queue]
    # max_concurrent = 2        # tasks running at once, across all processes on this database
    # per_repo = 2              # tasks running at once on one repository
    # max_attempts = 3          # starts per task (retries after model failures and interruptions)
    # retry_backoff_secs = 30   # first retry delay; doubles each time
    # on_interrupt = "requeue"  # requeue | fail: tasks a crashed process left running
    # stale_after_secs = 1800   # a running task whose worker stopped reporting this long is failed

    [scanner]
    # enabled = true            # screen every chat message and task before any model sees it
    # mode = "block"            # block | flag_only
    # flag_threshold = 4        # rules weigh 2, 4 or 6
    # block_threshold = 8
    # allow_repos = []          # inputs for these repositories are flagged, never blocked
    # allow_authors = []
    # allow_patterns = []       # regular expressions
    # classifier = false        # also a learned check on sentence embeddings (needs the embedding model)

    [scheduler]
    # enabled = true            # `sparks serve` fires jobs (`sparks jobs add …`)
    # timezone = "UTC"          # for cron jobs added without --tz
    # missed_runs = "skip"      # skip | run_once: runs missed while Sparks was not running

    [kpi]
    # price_input_per_mtok = 5  # $ per million tokens for `sparks kpi` cost estimates (default by provider)
    # price_output_per_mtok = 15

    [langfuse]
    # Tracing is on when LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY are set.
    # enabled = true
    # base_url = "https://cloud.langfuse.com"
    # public_key_env = "LANGFUSE_PUBLIC_KEY"
    # secret_key_env = "LANGFUSE_SECRET_KEY"

    [otel]
    # OpenTelemetry traces over OTLP/HTTP (Jaeger, Tempo, a Collector); on when an endpoint is set
    # here or in OTEL_EXPORTER_OTLP_ENDPOINT. Credentials: OTEL_EXPORTER_OTLP_HEADERS="k=v,…".
    # endpoint = "http://127.0.0.1:4318"
    # service_name = "sparks"

    [api]
    # The HTTP server of `sparks serve`: the OpenAI-compatible API (/v1, always needs a key from
    # SPARKS_API_KEYS, comma-separated), /dashboard, /metrics, /health. Loopback by default;
    # another address needs keys for everything but /health.
    # enabled = true
    # bind = "127.0.0.1:8787"
    # repository = "~/src/app"   # where API requests' tasks work (default: where serve started)
    # requests_per_minute = 120  # per key, with bursts of `burst`
    # burst = 30
    # max_body_bytes = 1048576

    # Sparks: the built-ins `coder` (read/write tools), `scout` (read-only), `coordinator`
    # (delegates steps to other sparks) and `critic` (reviews) always exist; an entry with the
    # same name replaces one.
    # [[sparks]]
    # name = "reviewer"
    # description = "Reads a change and reports problems; never edits."
    # role = "critic"             # coordinator | coder | critic | worker
    # strategy = "react"         # react | code (explore → execute → verify → heal)
    # tools = ["file_read", "grep", "glob", "list_dir"]
    # model = "gpt-4o"            # overrides llm.model for this spark
    # max_steps = 20
    # verify = "make test"        # its exit code decides whether the work is accepted

    """
}
