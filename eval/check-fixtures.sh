#!/usr/bin/env bash
# Self-check of the eval fixtures.
#
# Usage: eval/check-fixtures.sh [SUITE] [TASK_ID...]
#   SUITE    a suite file, or a name under eval/suites (default: core)
#   TASK_ID  check only these tasks
#
# For every task: copy the fixture to a temporary git repository, require the test command
# to fail, apply eval/solutions/<id>.patch, require `git diff --check` to pass and the test
# command to pass, and require the changed files to fit the task's `expect` (count, allowed
# globs, must_contain). A task with `expect.no_file_changes` only needs its fixture.
# Test commands run like Sparks runs them: `/bin/sh -c` in the repository, without HOME.
set -u

eval_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || exit 2
suite=${1:-core}
[ $# -gt 0 ] && shift
if [ ! -f "$suite" ]; then
    for candidate in "$eval_dir/suites/$suite" "$eval_dir/suites/$suite.json"; do
        [ -f "$candidate" ] && { suite=$candidate; break; }
    done
fi
[ -f "$suite" ] || { echo "check-fixtures: no suite '$suite'" >&2; exit 2; }

for tool in python3 git timeout; do
    command -v "$tool" > /dev/null || { echo "check-fixtures: $tool not found" >&2; exit 2; }
done

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_TERMINAL_PROMPT=0
git_quiet() { git -c user.name=fixture-check -c user.email=fixture-check@localhost -c commit.gpgsign=false \
    -c core.hooksPath=/dev/null "$@"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/check-fixtures.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

# One task per line, fields separated by \x1f (a tab would merge an empty field):
# id, fixture directory (absolute), test command, no_file_changes (0/1).
tasks=$(python3 - "$suite" "$@" <<'EOF'
import json, os, sys
path, wanted = sys.argv[1], set(sys.argv[2:])
with open(path) as f:
    suite = json.load(f)
base = os.path.dirname(os.path.abspath(path))
seen = set()
for task in suite["tasks"]:
    if wanted and task["id"] not in wanted:
        continue
    seen.add(task["id"])
    fields = [task["id"], os.path.normpath(os.path.join(base, task["fixture"])), task.get("test_command", ""),
              "1" if task.get("expect", {}).get("no_file_changes") else "0"]
    if any("\x1f" in x or "\n" in x for x in fields):
        sys.exit(f"task {task['id']}: a field holds a newline or \\x1f")
    print("\x1f".join(fields))
for missing in sorted(wanted - seen):
    sys.exit(f"no task {missing} in {path}")
EOF
) || { echo "check-fixtures: cannot read $suite" >&2; exit 2; }

# Checks the changed files of the repository in the current directory against the task's expect.
check_expect() {
    python3 - "$suite" "$1" <<'EOF'
import fnmatch, json, os, subprocess, sys
suite_path, task_id = sys.argv[1:]
task = next(t for t in json.load(open(suite_path))["tasks"] if t["id"] == task_id)
expect = task.get("expect", {})
status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                        capture_output=True, text=True, check=True).stdout
changed = [line[3:] for line in status.splitlines() if line]
problems = []
limit = expect.get("max_changed_files")
if limit is not None and len(changed) > limit:
    problems.append(f"{len(changed)} changed files > max_changed_files {limit}: {changed}")
allow = expect.get("changed_files_allow")
if allow is not None:
    problems += [f"{f} not in changed_files_allow" for f in changed if not any(fnmatch.fnmatch(f, g) for g in allow)]
for item in expect.get("must_contain", []):
    if not os.path.isfile(item["file"]) or item["text"] not in open(item["file"]).read():
        problems.append(f"{item['file']} lacks {item['text']!r}")
if problems:
    print("; ".join(problems))
    sys.exit(1)
EOF
}

run_test() { # command, log file; runs in the current directory
    timeout 300 env -u HOME /bin/sh -c "$1" > "$2" 2>&1 < /dev/null
}

failures=0
count=0
fail() { echo "FAIL $id: $1"; failures=$((failures + 1)); }
while IFS=$'\x1f' read -r id fixture command no_changes; do
    [ -n "$id" ] || continue
    count=$((count + 1))
    if [ ! -d "$fixture" ]; then fail "no fixture directory $fixture"; continue; fi
    if [ "$no_changes" = 1 ]; then
        if [ -n "$(ls -A "$fixture")" ]; then echo "ok  $id"; else fail "fixture is empty"; fi
        continue
    fi
    patch="$eval_dir/solutions/$id.patch"
    if [ ! -f "$patch" ]; then fail "no solution $patch"; continue; fi
    if [ -z "$command" ]; then fail "empty test_command"; continue; fi
    repo="$work/$id/repo"
    log="$work/$id/test.log"
    mkdir -p "$repo" && cp -R "$fixture/." "$repo/" || { fail "cannot copy the fixture"; continue; }
    (
        cd "$repo" || exit 1
        git_quiet init -q && git_quiet add -A && git_quiet commit -q -m fixture
    ) > "$work/$id/git.log" 2>&1 || { fail "git init/commit failed: $(tail -n 3 "$work/$id/git.log")"; continue; }
    reason=$(
        cd "$repo" || exit 1
        if run_test "$command" "$log"; then echo "test command passes before the solution"; exit 1; fi
        git_quiet apply "$patch" 2> "$log.apply" || { echo "git apply failed: $(head -n 3 "$log.apply")"; exit 1; }
        git_quiet diff --check > "$log.check" 2>&1 || { echo "git diff --check: $(head -n 3 "$log.check")"; exit 1; }
        run_test "$command" "$log" || { echo "test command fails after the solution: $(tail -n 5 "$log" | tr '\n' ' ')"; exit 1; }
        problems=$(check_expect "$id") || { echo "expect: $problems"; exit 1; }
    ) || { fail "${reason:-unknown error}"; continue; }
    echo "ok  $id"
done <<< "$tasks"

if [ "$count" -eq 0 ]; then echo "check-fixtures: no tasks in $suite" >&2; exit 2; fi
if [ "$failures" -gt 0 ]; then
    echo "$failures of $count tasks failed"
    exit 1
fi
echo "all $count tasks ok"
