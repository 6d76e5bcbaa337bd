import GRDB

/// The schema, one migration per version. Migrations are append-only: a released one never changes.
enum Migrations {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_tasks_conversations_tool_usage") { db in
            try db.execute(sql: """
                CREATE TABLE tasks (
                    id TEXT PRIMARY KEY,
                    goal TEXT NOT NULL,
                    context TEXT,
                    spark TEXT NOT NULL,
                    repository TEXT NOT NULL,
                    lane TEXT NOT NULL DEFAULT 'delivery',
                    risk TEXT NOT NULL DEFAULT 'medium',
                    status TEXT NOT NULL,
                    owner TEXT,
                    steps INTEGER NOT NULL DEFAULT 0,
                    prompt_tokens INTEGER NOT NULL DEFAULT 0,
                    completion_tokens INTEGER NOT NULL DEFAULT 0,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX tasks_by_created ON tasks(created_at DESC);
                CREATE INDEX tasks_by_status ON tasks(status);

                CREATE TABLE task_outcomes (
                    task_id TEXT PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
                    status TEXT NOT NULL,
                    reason TEXT,
                    summary TEXT NOT NULL,
                    error TEXT,
                    steps INTEGER NOT NULL DEFAULT 0,
                    prompt_tokens INTEGER NOT NULL DEFAULT 0,
                    completion_tokens INTEGER NOT NULL DEFAULT 0,
                    duration_ms INTEGER NOT NULL DEFAULT 0,
                    finished_at TEXT NOT NULL
                );

                CREATE TABLE conversations (
                    id TEXT PRIMARY KEY,
                    session_key TEXT NOT NULL,
                    task_id TEXT REFERENCES tasks(id) ON DELETE CASCADE,
                    title TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX conversations_by_session ON conversations(session_key, updated_at DESC);
                CREATE INDEX conversations_by_task ON conversations(task_id);

                CREATE TABLE messages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                    role TEXT NOT NULL,
                    content TEXT,
                    tool_calls TEXT,
                    tool_call_id TEXT,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX messages_by_conversation ON messages(conversation_id, id);

                CREATE TABLE tool_usage (
                    tool_name TEXT PRIMARY KEY,
                    invocation_count INTEGER NOT NULL DEFAULT 0,
                    success_count INTEGER NOT NULL DEFAULT 0,
                    failure_count INTEGER NOT NULL DEFAULT 0,
                    total_duration_ms INTEGER NOT NULL DEFAULT 0,
                    last_used TEXT,
                    last_error TEXT
                );
                """)
        }
        migrator.registerMigration("v2_task_workspaces") { db in
            try db.execute(sql: """
                ALTER TABLE tasks ADD COLUMN workspace TEXT;
                ALTER TABLE tasks ADD COLUMN branch TEXT;
                ALTER TABLE tasks ADD COLUMN base_commit TEXT;
                ALTER TABLE tasks ADD COLUMN source_repository TEXT;
                ALTER TABLE tasks ADD COLUMN applied_at TEXT;
                ALTER TABLE task_outcomes ADD COLUMN verify_exit_code INTEGER;
                """)
        }
        // Memories: `seq` is the rowid the FTS5 table and the HNSW index use; `change` is the value
        // of a counter bumped by every write, so an index file can catch up on what it missed.
        // The FTS table (its own copy of the text, keyed by seq) holds the active memories only, kept
        // in sync by triggers; words are stemmed
        // (Porter), so "deploy" finds "deployed".
        migrator.registerMigration("v3_memories") { db in
            try db.execute(sql: """
                CREATE TABLE memories (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    category TEXT NOT NULL,
                    content TEXT NOT NULL,
                    source TEXT,
                    active INTEGER NOT NULL DEFAULT 1,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    accessed_at REAL,
                    access_count INTEGER NOT NULL DEFAULT 0,
                    embedding BLOB,
                    change INTEGER NOT NULL
                );
                CREATE INDEX memories_by_change ON memories(change);
                CREATE INDEX memories_by_category ON memories(category, active);
                CREATE TABLE memory_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                INSERT INTO memory_counters (name, value) VALUES ('change', 0);
                CREATE VIRTUAL TABLE memories_fts USING fts5(content, tokenize='porter unicode61 remove_diacritics 2');
                CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories WHEN new.active = 1 BEGIN
                    INSERT INTO memories_fts (rowid, content) VALUES (new.seq, new.content);
                END;
                CREATE TRIGGER memories_fts_update AFTER UPDATE OF content, active ON memories BEGIN
                    DELETE FROM memories_fts WHERE rowid = old.seq;
                    INSERT INTO memories_fts (rowid, content) SELECT new.seq, new.content WHERE new.active = 1;
                END;
                CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
                    DELETE FROM memories_fts WHERE rowid = old.seq;
                END;
                """)
        }
        // The task queue (queued rows wait for a slot; attempts are kept per try), the decisions
        // that chose a spark or a route, scheduled jobs, and an event log that outlives processes.
        migrator.registerMigration("v4_queue_selection_jobs_events") { db in
            try db.execute(sql: """
                ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE tasks ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE tasks ADD COLUMN max_attempts INTEGER NOT NULL DEFAULT 3;
                ALTER TABLE tasks ADD COLUMN not_before TEXT;
                ALTER TABLE tasks ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE tasks ADD COLUMN started_at TEXT;
                ALTER TABLE tasks ADD COLUMN heartbeat_at TEXT;
                ALTER TABLE tasks ADD COLUMN source TEXT NOT NULL DEFAULT 'cli';
                ALTER TABLE tasks ADD COLUMN repo_label TEXT;
                ALTER TABLE tasks ADD COLUMN verify_command TEXT;
                ALTER TABLE tasks ADD COLUMN wait_secs INTEGER;
                ALTER TABLE tasks ADD COLUMN spark_explicit INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE tasks ADD COLUMN parent_id TEXT;
                ALTER TABLE tasks ADD COLUMN base_ref TEXT;
                ALTER TABLE task_outcomes ADD COLUMN rolled_back INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX tasks_queue ON tasks(status, priority DESC, created_at);
                CREATE INDEX tasks_scope ON tasks(repo_label, lane, risk, created_at DESC);

                CREATE TABLE task_attempts (
                    task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
                    attempt INTEGER NOT NULL,
                    owner TEXT,
                    status TEXT NOT NULL,
                    reason TEXT,
                    detail TEXT,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    PRIMARY KEY (task_id, attempt)
                );

                CREATE TABLE spark_selections (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    task_id TEXT,
                    repo TEXT NOT NULL,
                    lane TEXT NOT NULL,
                    risk TEXT NOT NULL,
                    selected TEXT NOT NULL,
                    baseline TEXT NOT NULL,
                    action TEXT NOT NULL,
                    reason_codes TEXT NOT NULL,
                    explanation TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX spark_selections_by_task ON spark_selections(task_id);

                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    schedule_kind TEXT NOT NULL,
                    schedule_data TEXT NOT NULL,
                    prompt TEXT NOT NULL,
                    spark TEXT,
                    repository TEXT NOT NULL,
                    risk TEXT NOT NULL DEFAULT 'low',
                    missed_policy TEXT NOT NULL DEFAULT 'skip',
                    enabled INTEGER NOT NULL DEFAULT 1,
                    next_run TEXT,
                    last_run TEXT,
                    last_task_id TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX jobs_due ON jobs(enabled, next_run);

                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    created_at TEXT NOT NULL,
                    category TEXT NOT NULL,
                    task_id TEXT,
                    spark TEXT,
                    session_key TEXT,
                    message TEXT NOT NULL,
                    details TEXT
                );
                CREATE INDEX events_by_time ON events(created_at);
                CREATE INDEX events_by_task ON events(task_id, id);
                """)
        }
        // KPI snapshots: the numbers of a scope at one moment, for trends.
        migrator.registerMigration("v5_kpi_snapshots") { db in
            try db.execute(sql: """
                CREATE TABLE kpi_snapshots (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    captured_at TEXT NOT NULL,
                    lane TEXT,
                    repo TEXT,
                    risk TEXT,
                    spark TEXT,
                    data TEXT NOT NULL
                );
                CREATE INDEX kpi_snapshots_by_scope ON kpi_snapshots(lane, repo, risk, captured_at DESC);
                """)
        }
        // Webhook deliveries seen, so a replayed delivery creates nothing.
        migrator.registerMigration("v6_webhook_deliveries") { db in
            try db.execute(sql: """
                CREATE TABLE webhook_deliveries (
                    source TEXT NOT NULL,
                    delivery_id TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    task_id TEXT,
                    PRIMARY KEY (source, delivery_id)
                );
                """)
        }
        // Ratings of finished tasks (the leaderboard's rating term), leaderboard resets, and the
        // summaries of eval runs (the dashboard's eval trend).
        migrator.registerMigration("v7_ratings_leaderboard_eval_runs") { db in
            try db.execute(sql: """
                CREATE TABLE task_ratings (
                    task_id TEXT PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
                    rating INTEGER NOT NULL CHECK (rating IN (-1, 0, 1)),
                    note TEXT,
                    rated_at TEXT NOT NULL
                );
                CREATE TABLE leaderboard_resets (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    reset_at TEXT NOT NULL
                );
                CREATE TABLE eval_runs (
                    id TEXT PRIMARY KEY,
                    suite TEXT NOT NULL,
                    finished_at TEXT NOT NULL,
                    provider TEXT,
                    model TEXT,
                    overall REAL NOT NULL,
                    pass_rate REAL NOT NULL,
                    gate_ok INTEGER NOT NULL,
                    tasks INTEGER NOT NULL,
                    report_path TEXT
                );
                CREATE INDEX eval_runs_by_finished ON eval_runs(finished_at DESC);
                """)
        }
        // Autonomous work: the ticket intake log (dedup and write-back), alert rules, runtime knobs
        // set while running, and self-metrics snapshots.
        migrator.registerMigration("v8_tickets_alerts_knobs_metrics") { db in
            try db.execute(sql: """
                CREATE TABLE ticket_intake (
                    dedup_key TEXT PRIMARY KEY,
                    provider TEXT NOT NULL,
                    source TEXT NOT NULL,
                    ticket TEXT NOT NULL,
                    via TEXT NOT NULL,
                    task_id TEXT,
                    status TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    synced_at TEXT,
                    sync_error TEXT
                );
                CREATE INDEX ticket_intake_by_status ON ticket_intake(status);
                CREATE TABLE alert_rules (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    pattern TEXT NOT NULL,
                    target TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    enabled INTEGER NOT NULL DEFAULT 1,
                    silence_secs INTEGER NOT NULL DEFAULT 300,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE runtime_knobs (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE TABLE self_metrics (
                    at TEXT NOT NULL,
                    snapshot TEXT NOT NULL
                );
                CREATE INDEX self_metrics_by_at ON self_metrics(at DESC);
                """)
        }
        // Coding-CLI delegation: the CLI a task prefers, and every CLI run (its success rate per
        // repository and lane orders the CLIs).
        migrator.registerMigration("v9_cli_tools") { db in
            try db.execute(sql: """
                ALTER TABLE tasks ADD COLUMN cli_tool TEXT;
                CREATE TABLE cli_tool_runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    cli TEXT NOT NULL,
                    repo TEXT NOT NULL,
                    lane TEXT NOT NULL,
                    ok INTEGER NOT NULL,
                    duration_ms INTEGER NOT NULL,
                    task_id TEXT,
                    at TEXT NOT NULL
                );
                CREATE INDEX cli_tool_runs_by_scope ON cli_tool_runs(repo, lane);
                """)
        }
        return migrator
    }
}
