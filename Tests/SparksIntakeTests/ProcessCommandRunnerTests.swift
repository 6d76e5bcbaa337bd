import Foundation
import SparksIntake
import Testing

/// Against real child processes: `/bin/sh` is cheap and always there.
@Suite struct ProcessCommandRunnerTests {
    static let runner = ProcessCommandRunner(environment: ["PATH": "/usr/bin:/bin", "SPARKS_PROBE": "probe-value"])

    @Test func capturesStdoutStderrAndExitCode() async {
        let result = await Self.runner.run("sh", ["-c", "printf out; printf err >&2; exit 3"], in: "/tmp")
        #expect(result.exitCode == 3)
        #expect(result.stdout == "out")
        #expect(result.stderr == "err")
    }

    @Test func passesExactlyTheGivenEnvironmentAndDirectory() async {
        let result = await Self.runner.run(
            "sh", ["-c", #"printf '%s|%s|%s' "$SPARKS_PROBE" "${HOME-unset}" "$(pwd)""#], in: "/tmp")
        #expect(result.exitCode == 0)
        #expect(result.stdout == "probe-value|unset|/tmp")
    }

    @Test func looksTheExecutableUpOnTheChildsPath() async {
        let found = await Self.runner.run("true", [], in: "/tmp")
        #expect(found.exitCode == 0)
        let missing = await Self.runner.run("sparks-no-such-tool", ["--version"], in: "/tmp")
        #expect(missing.exitCode == 127)
        #expect(missing.stderr.contains("sparks-no-such-tool"))
        let noPath = await ProcessCommandRunner(environment: [:]).run("sh", ["-c", "true"], in: "/tmp")
        #expect(noPath.exitCode == 127)
        let absolute = await ProcessCommandRunner(environment: [:]).run("/bin/sh", ["-c", "exit 0"], in: "/tmp")
        #expect(absolute.exitCode == 0)
    }

    @Test func drainsLargeOutputOnBothPipes() async {
        // 1 MiB on each stream: far over a pipe's buffer, so reading one at a time would deadlock.
        let script = "head -c 1048576 /dev/zero | tr '\\0' a; head -c 1048576 /dev/zero | tr '\\0' b >&2"
        let result = await Self.runner.run("sh", ["-c", script], in: "/tmp")
        #expect(result.exitCode == 0)
        #expect(result.stdout.utf8.count == 1_048_576)
        #expect(result.stderr.utf8.count == 1_048_576)
    }

    @Test func missingDirectoryIsAResultNotACrash() async {
        let result = await Self.runner.run("sh", ["-c", "true"], in: "/nonexistent/sparks-dir")
        #expect(result.exitCode != 0)
    }
}

@Suite struct ProcessCommandRunnerStoppingTests {
    @Test func timeoutStopsAHungCommand() async {
        let runner = ProcessCommandRunner(environment: ["PATH": "/usr/bin:/bin"], timeout: .milliseconds(300))
        let started = ContinuousClock.now
        let result = await runner.run("sleep", ["30"], in: "/tmp")
        #expect(result.exitCode == ProcessCommandRunner.timedOutExitCode)
        #expect(result.stderr.contains("sleep timed out after 0.3s"))
        // Loose on purpose (a busy machine is slow): only a command left to finish takes 30 s.
        #expect(ContinuousClock.now - started < .seconds(29))
    }

    @Test func childReceivesSIGTERMEvenFromAConcurrencyThread() async {
        // Pool threads block signals; the child must not inherit that or its TERM trap never runs.
        let runner = ProcessCommandRunner(environment: ["PATH": "/usr/bin:/bin"], timeout: .milliseconds(300))
        let script = "trap 'echo got TERM >&2; exit 9' TERM; while :; do sleep 0.05; done"
        let result = await runner.run("sh", ["-c", script], in: "/tmp")
        #expect(result.stderr.contains("got TERM"))
        #expect(result.exitCode == ProcessCommandRunner.timedOutExitCode)
    }

    @Test func cancellationStopsTheCommand() async {
        let runner = ProcessCommandRunner(environment: ["PATH": "/usr/bin:/bin"], timeout: nil)
        let started = ContinuousClock.now
        let task = Task { await runner.run("sleep", ["30"], in: "/tmp") }
        try? await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.value
        #expect(result.exitCode != 0)
        // Under load the cancellation can land before the process started; either way nothing ran on.
        #expect(result.stderr.contains("sleep cancelled") || result.stderr.contains("cancelled before it started"), "\(result.stderr)")
        #expect(ContinuousClock.now - started < .seconds(29), "stopped, not left to finish its 30 s")
    }
}
