import Foundation
import SparksIntake
import Testing

@Suite struct TicketMappingTests {
    static func ticket(
        provider: TicketProvider = .github, repo: String = "acme/widgets", id: String = "42", labels: [String] = ["sparks"],
        priority: String? = nil, body: String = "It crashes."
    ) -> Ticket {
        Ticket(
            provider: provider, repo: repo, id: id, number: Int(id), title: "  Crash on empty config ", body: body,
            url: "https://github.com/acme/widgets/issues/42", author: "octocat", labels: labels, priority: priority, state: "open"
        )
    }

    @Test func taskFromTicket() {
        let task = TicketMapping.task(for: Self.ticket(labels: ["sparks", "sparks:coder", "bug"], priority: "High"))
        #expect(task.goal == "Address ticket: Crash on empty config")
        #expect(task.spark == "coder")
        #expect(task.risk == .high)
        #expect(task.lane == "ticket_intake")
        #expect(task.dedupKey == "ticket:github:acme/widgets:42")
        #expect(
            task.context == """
                Source: GitHub
                Repo: acme/widgets
                Number: #42
                URL: https://github.com/acme/widgets/issues/42
                Author: octocat
                Labels: sparks, sparks:coder, bug
                Priority: High

                It crashes.
                """)
    }

    @Test func contextForKeyedTrackersAndEmptyDescription() {
        let task = TicketMapping.task(for: Self.ticket(provider: .jira, repo: "PROJ", id: "PROJ-12", labels: [], body: "  "))
        #expect(task.context.contains("Number: PROJ-12\n"))
        #expect(task.context.contains("Labels: none\nPriority: none\n"))
        #expect(task.context.hasSuffix("\n\n(no description)"))
        #expect(task.dedupKey == "ticket:jira:PROJ:PROJ-12")
    }

    @Test(
        arguments: [
            (["sparks", "critical"], nil, TicketRisk.critical),
            (["P0"], nil, .critical),
            (["sparks"], "urgent", .critical),
            (["severity/blocker"], nil, .critical),
            (["sparks"], "Highest", .critical),
            (["priority: high"], nil, .high),
            (["P1", "low"], nil, .high),
            (["sparks"], "High", .high),
            (["priority::low"], nil, .low),
            (["p3"], nil, .low),
            (["sparks"], "Lowest", .low),
            (["sparks", "highlight", "below-the-fold"], nil, .medium),
            (["p2"], "medium", .medium),
            ([], nil, .medium),
        ] as [([String], String?, TicketRisk)])
    func riskTable(labels: [String], priority: String?, risk: TicketRisk) {
        #expect(TicketMapping.risk(for: Self.ticket(labels: labels, priority: priority)) == risk)
    }

    @Test func sparkLabel() {
        #expect(TicketMapping.spark(for: Self.ticket(labels: ["sparks"])) == nil)
        #expect(TicketMapping.spark(for: Self.ticket(labels: ["sparks:"])) == nil)
        #expect(TicketMapping.spark(for: Self.ticket(labels: ["Sparks:Reviewer"])) == "Reviewer")
        #expect(TicketMapping.spark(for: Self.ticket(labels: ["sparks::docs-writer"])) == "docs-writer")
        #expect(TicketMapping.spark(for: Self.ticket(labels: ["bug", "sparks:coder", "sparks:tester"])) == "coder")
    }

    @Test func dedupKeyIsStableAcrossPolls() {
        let first = TicketMapping.task(for: Self.ticket())
        var edited = Self.ticket(labels: ["sparks", "p1"])
        edited.title = "Renamed"
        #expect(TicketMapping.task(for: edited).dedupKey == first.dedupKey)
        #expect(TicketMapping.dedupKey(for: Self.ticket(provider: .gitlab)) == "ticket:gitlab:acme/widgets:42")
    }
}

@Suite struct TicketStatusCommentTests {
    @Test func fullComment() {
        let report = CIMonitorReport(status: .healSucceeded, healAttempts: 1, merged: true, mergeRefused: nil, log: [])
        let text = TicketStatusComment.text(
            status: "succeeded", goal: "Address ticket: Crash", finished: Date(timeIntervalSince1970: 1_746_180_000),
            error: nil, ciMonitor: report)
        #expect(
            text == """
                **Sparks task update**

                Status: succeeded
                Goal: Address ticket: Crash
                Finished: 2025-05-02T10:00:00Z
                CI monitor: heal_succeeded after 1 heal attempt; merged
                """)
    }

    @Test func failedTaskWithRefusedMerge() {
        let report = CIMonitorReport(
            status: .noChecks, healAttempts: 0, merged: false, mergeRefused: "no CI checks ran within 300s", log: [])
        let text = TicketStatusComment.text(status: "failed", goal: "g", error: "push rejected", ciMonitor: report)
        #expect(text.contains("Error: push rejected"))
        #expect(text.contains("CI monitor: no_checks; not merged: no CI checks ran within 300s"))
        #expect(!text.contains("Finished:"))
    }

    @Test func minimalCommentHasOnlyStatusAndGoal() {
        #expect(
            TicketStatusComment.text(status: "running", goal: "g")
                == "**Sparks task update**\n\nStatus: running\nGoal: g")
    }

    @Test func secretsAreMasked() {
        let text = TicketStatusComment.text(
            status: "failed", goal: "g", error: "git push https://x-access-token:ghs_SECRET123@github.com failed",
            secrets: ["ghs_SECRET123"])
        #expect(!text.contains("ghs_SECRET123"))
        #expect(text.contains("[redacted]"))
    }
}
