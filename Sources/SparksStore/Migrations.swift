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
        return migrator
    }
}
