import Foundation
import Testing
import SparksTelegram

/// A fixed start time; every later moment is an offset from it, so no test reads a real clock.
let t0 = Date(timeIntervalSince1970: 1_700_000_000)

/// Presses the button labelled `label` (ignoring a leading check mark) on `reply`'s keyboard.
func press(_ label: String, on reply: PlanningReply, _ interview: inout PlanningInterview,
           at seconds: TimeInterval = 1, sourceLocation: SourceLocation = #_sourceLocation) throws -> PlanningReply {
    let buttons = reply.keyboard.joined()
    let button = try #require(buttons.first { $0.label == label || $0.label == "✓ " + label },
                              "no button \(label) among \(buttons.map(\.label))", sourceLocation: sourceLocation)
    return interview.handle(.button(button.callbackData), now: t0.addingTimeInterval(seconds))
}

func labels(_ reply: PlanningReply) -> [[String]] {
    reply.keyboard.map { $0.map(\.label) }
}

@Suite("Planning interview")
struct PlanningInterviewTests {
    @Test("the whole interview can be answered with buttons")
    func buttonPath() throws {
        var interview = PlanningInterview(id: "42", request: "help me plan the v2 launch of the billing page", now: t0)
        var reply = interview.prompt
        #expect(reply.step == .goal)
        #expect(labels(reply) == [["Use my message"], ["Cancel"]])

        reply = try press("Use my message", on: reply, &interview)
        #expect(reply.step == .constraints)
        #expect(interview.answers.goal == "help me plan the v2 launch of the billing page")
        #expect(labels(reply) == [["Today", "This week", "No deadline"], ["Idea only", "Implementation", "Full plan"],
                                  ["No constraints", "Skip"], ["Cancel"]])

        reply = try press("This week", on: reply, &interview)
        #expect(reply.step == .constraints, "one of two constraints chosen: the step waits for the scope")
        #expect(labels(reply)[0] == ["Today", "✓ This week", "No deadline"])
        #expect(reply.text.contains("timeline This week"))

        reply = try press("Implementation", on: reply, &interview)
        #expect(reply.step == .output)
        #expect(labels(reply) == [["Checklist", "Spec", "Draft"], ["Skip"], ["Cancel"]])

        reply = try press("Spec", on: reply, &interview)
        #expect(reply.step == .summary)
        #expect(labels(reply) == [["Confirm", "Edit", "Cancel"]])
        #expect(reply.text.contains("Goal: help me plan the v2 launch of the billing page"))
        #expect(reply.text.contains("Timeline: This week"))
        #expect(reply.text.contains("Scope: Implementation"))
        #expect(reply.text.contains("Output: Spec"))

        reply = try press("Confirm", on: reply, &interview)
        #expect(reply.step == .confirmed)
        #expect(reply.keyboard.isEmpty)
        #expect(interview.step.isFinal)
        #expect(interview.answers == PlanningAnswers(goal: "help me plan the v2 launch of the billing page",
                                                     timeline: .thisWeek, scope: .implementation, output: .spec))
    }

    @Test("text answers, skip and the confirm shortcut; the output defaults to a checklist")
    func textPathWithSkip() {
        var interview = PlanningInterview(id: "7", request: "/plan", now: t0)
        #expect(labels(interview.prompt) == [["Cancel"]], "a bare /plan has nothing to offer as the goal")

        var reply = interview.handle(.text("skip"), now: t0.addingTimeInterval(1))
        #expect(reply.step == .goal, "the goal cannot be skipped without a usable request")
        #expect(reply.text.contains("can't be skipped"))

        reply = interview.handle(.text("  Ship the onboarding email sequence  "), now: t0.addingTimeInterval(2))
        #expect(reply.step == .constraints)
        #expect(interview.answers.goal == "Ship the onboarding email sequence")

        reply = interview.handle(.text("Budget under $500"), now: t0.addingTimeInterval(3))
        #expect(reply.step == .output, "a free-form constraint answers the step")
        #expect(interview.answers.notes == ["Budget under $500"])

        reply = interview.handle(.text("Pass."), now: t0.addingTimeInterval(4))
        #expect(reply.step == .summary)
        #expect(interview.answers.output == .checklist)
        #expect(reply.text.contains("Notes: Budget under $500"))

        reply = interview.handle(.text("OK"), now: t0.addingTimeInterval(5))
        #expect(reply.step == .confirmed)
    }

    @Test("typed timeline and scope words count as the buttons; skip at constraints keeps what was chosen")
    func typedConstraints() {
        var interview = PlanningInterview(id: "a", request: "roadmap", now: t0)
        _ = interview.handle(.text("Migrate the queue to SQLite"), now: t0)
        var reply = interview.handle(.text("Today"), now: t0)
        #expect(reply.step == .constraints)
        #expect(interview.answers.timeline == .today)
        reply = interview.handle(.text("skip"), now: t0)
        #expect(reply.step == .output)
        #expect(interview.answers.timeline == .today)
        #expect(interview.answers.scope == nil)
        reply = interview.handle(.text("a poem"), now: t0)
        #expect(reply.step == .output, "an answer that is no output kind is asked again")
        reply = interview.handle(.text("draft"), now: t0)
        #expect(reply.step == .summary)
        #expect(interview.answers.output == .draft)
    }

    @Test("No constraints clears what was chosen")
    func noConstraints() throws {
        var interview = PlanningInterview(id: "a", request: "plan", now: t0)
        var reply = interview.handle(.text("Write release notes"), now: t0)
        reply = try press("Today", on: reply, &interview)
        reply = interview.handle(.text("Constraint: keep it short"), now: t0)
        #expect(interview.answers.notes == ["Constraint: keep it short"])
        // Back at the output step; start over to press No constraints after a choice.
        var second = PlanningInterview(id: "b", request: "plan", now: t0)
        reply = second.handle(.text("Write release notes"), now: t0)
        reply = try press("Today", on: reply, &second)
        reply = try press("No constraints", on: reply, &second)
        #expect(reply.step == .output)
        #expect(second.answers.timeline == nil)
        #expect(second.answers.scope == nil)
    }

    @Test("edit lines at the summary replace those fields")
    func summaryEdits() throws {
        var interview = PlanningInterview(id: "9", request: "plan", now: t0)
        _ = interview.handle(.text("Old goal"), now: t0)
        _ = interview.handle(.text("no constraints"), now: t0)
        var reply = interview.handle(.text("checklist"), now: t0)
        #expect(reply.step == .summary)

        reply = try press("Edit", on: reply, &interview)
        #expect(reply.step == .summary)
        #expect(reply.text.contains("Timeline: Today | This week | No deadline"))

        reply = interview.handle(.text("Goal: Launch: the new pricing page\ntimeline: no deadline\nScope: full plan\n\nOutput: Spec"),
                                 now: t0)
        #expect(reply.step == .summary)
        #expect(reply.text.hasPrefix("Updated: goal, timeline, scope, output."))
        #expect(interview.answers == PlanningAnswers(goal: "Launch: the new pricing page", timeline: .noDeadline,
                                                     scope: .fullPlan, output: .spec))

        let before = interview.answers
        reply = interview.handle(.text("Goal: Something else\nTimeline: someday"), now: t0)
        #expect(reply.text.contains("“someday” is not a timeline"))
        #expect(interview.answers == before, "one bad line applies none of the message")

        reply = interview.handle(.text("Colour: blue"), now: t0)
        #expect(reply.text.contains("“colour” is not a field"))
        reply = interview.handle(.text("just some words"), now: t0)
        #expect(reply.text.contains("couldn't read"))
        #expect(interview.answers == before)

        reply = interview.handle(.text("confirm"), now: t0)
        #expect(reply.step == .confirmed)
    }

    @Test("cancel by word at any open step, and by button")
    func cancel() throws {
        for word in ["cancel", "Stop", "ABORT!", "/cancel"] {
            for answers in [[], ["Goal"], ["Goal", "skip"], ["Goal", "skip", "skip"]] {
                var interview = PlanningInterview(id: "c", request: "plan", now: t0)
                for answer in answers { _ = interview.handle(.text(answer), now: t0) }
                let reply = interview.handle(.text(word), now: t0)
                #expect(reply.step == .cancelled, "\(word) after \(answers)")
                #expect(interview.step == .cancelled)
            }
        }
        var interview = PlanningInterview(id: "c", request: "plan", now: t0)
        let reply = try press("Cancel", on: interview.prompt, &interview)
        #expect(reply.step == .cancelled)
        let after = interview.handle(.text("A goal"), now: t0)
        #expect(after.step == .cancelled, "a finished interview takes no more answers")
        #expect(interview.answers.goal.isEmpty)
    }

    @Test("a shortcut word inside a longer answer is an answer, not a shortcut")
    func shortcutsAreWholeMessages() {
        var interview = PlanningInterview(id: "c", request: "plan", now: t0)
        let reply = interview.handle(.text("stop the old rollout"), now: t0)
        #expect(reply.step == .constraints)
        #expect(interview.answers.goal == "stop the old rollout")
    }

    @Test("the interview expires 900 s after the last answer")
    func timeout() {
        var interview = PlanningInterview(id: "t", request: "plan", now: t0)
        #expect(!interview.isExpired(now: t0.addingTimeInterval(899)))
        #expect(interview.isExpired(now: t0.addingTimeInterval(900)))

        _ = interview.handle(.text("A goal"), now: t0.addingTimeInterval(600))
        #expect(!interview.isExpired(now: t0.addingTimeInterval(1_499)), "the answer at 600 s restarted the wait")
        #expect(interview.isExpired(now: t0.addingTimeInterval(1_500)))

        let reply = interview.handle(.text("this week"), now: t0.addingTimeInterval(1_500))
        #expect(reply.step == .expired)
        #expect(reply.text.contains("15 minutes"))
        #expect(interview.answers.timeline == nil, "input after the timeout is not applied")
        #expect(!interview.isExpired(now: t0.addingTimeInterval(5_000)), "a finished interview is not 'expired' again")
    }

    @Test("a sweeper can close an idle interview")
    func expireIfIdle() {
        var interview = PlanningInterview(id: "t", request: "plan", now: t0, timeout: 60)
        #expect(interview.expireIfIdle(now: t0.addingTimeInterval(59)) == nil)
        #expect(interview.step == .goal)
        let reply = interview.expireIfIdle(now: t0.addingTimeInterval(60))
        #expect(reply?.step == .expired)
        #expect(reply?.text.contains("1 minute") == true)
        #expect(interview.step == .expired)
    }

    @Test("buttons of another interview or an earlier step change nothing")
    func staleButtons() throws {
        var old = PlanningInterview(id: "old", request: "plan", now: t0)
        let oldReply = old.handle(.text("Old goal"), now: t0)
        var interview = PlanningInterview(id: "new", request: "plan", now: t0)
        let goalReply = interview.prompt
        var reply = try press("This week", on: oldReply, &interview)
        #expect(reply.step == .goal)
        #expect(reply.text.hasPrefix("That button belongs to an earlier question."))
        #expect(interview.answers.timeline == nil)

        reply = interview.handle(.text("New goal"), now: t0)
        reply = try press("Skip", on: reply, &interview)
        #expect(reply.step == .output)
        reply = try press("Cancel", on: goalReply, &interview)
        #expect(reply.step == .cancelled, "Cancel stays valid on any of the interview's keyboards")

        var third = PlanningInterview(id: "x", request: "plan", now: t0)
        for data in ["plan:x:timeline:tomorrow", "plan:x:", "plan:x:summary:confirm", "plan:y:cancel", "other"] {
            let reply = third.handle(.button(data), now: t0)
            #expect(reply.step == .goal, "\(data)")
        }
        #expect(!third.owns(callbackData: "plan:xy:cancel"))
        #expect(third.owns(callbackData: "plan:x:cancel"))
        #expect(PlanningInterview.isPlanningCallback("plan:x:cancel"))
        #expect(!PlanningInterview.isPlanningCallback("ap:1:y"))
    }

    @Test("every button's callback data fits Telegram's 64 bytes, with the longest id")
    func callbackDataFits() throws {
        var interview = PlanningInterview(id: "ÄBCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789", request: "help me plan a launch of billing v2", now: t0)
        #expect(interview.id == "bcdefghijklm", "the id is cut to 12 lowercase letters and digits")
        var replies = [interview.prompt]
        replies.append(try press("Use my message", on: replies[0], &interview))
        replies.append(try press("Today", on: replies[1], &interview))
        replies.append(try press("Full plan", on: replies[2], &interview))
        replies.append(try press("Draft", on: replies[3], &interview))
        replies.append(try press("Edit", on: replies[4], &interview))
        let buttons = replies.flatMap { $0.keyboard.joined() }
        #expect(buttons.count == 31)
        for button in buttons {
            #expect(button.callbackData.utf8.count <= PlanningButton.maxCallbackDataBytes, "\(button.callbackData)")
            #expect(interview.owns(callbackData: button.callbackData))
        }
        #expect(PlanningInterview(id: "", request: "", now: t0).id == "0")
    }

    @Test("planning words trigger as whole words in any case", arguments: [
        "plan", "Can you help me PLAN this?", "we need a plan", "Q3 roadmap", "our strategy for EU",
        "launch checklist", "Rollout of v2", "GTM motion", "planning session", "/plan", "plan's scope",
    ])
    func triggers(text: String) {
        #expect(PlanningInterview.isPlanningRequest(text))
    }

    @Test("other words do not trigger", arguments: [
        "planet earth", "plans for lunch", "explanation please", "airplane mode", "strategic", "launched yesterday",
        "rollouts", "gtmx", "", "implant",
    ])
    func nonTriggers(text: String) {
        #expect(!PlanningInterview.isPlanningRequest(text))
    }
}
