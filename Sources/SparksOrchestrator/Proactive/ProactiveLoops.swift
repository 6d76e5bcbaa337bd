import Foundation
import Logging
import SparksConfig
import SparksCore
import SparksLLM
import SparksProactive
import SparksStore
import Synchronization

/// The loops that think on their own (§16.2, §16.4): the memory scanner, idle musings,
/// conversation re-entry and the refactoring scanner; and the improvement ideas the first two
/// can raise, which become investigation-only tasks. Every loop needs `all_proactive` and its own
/// knob; every chance is scaled by `spontaneity`; every task goes through `submit` (scanner,
/// autonomy ladder).
extension ProactiveService {
    /// Runs each loop that is due.
    func runThinkingLoops(now: Date, knobs: RuntimeKnobs) async -> [Pulse] {
        var pulses: [Pulse] = []
        if knobs.memoryScan, due(\.nextMemoryScan, now: now, interval: Double(knobs.memoryScanInterval), jitter: 0.3) {
            pulses += await memoryScan(knobs: knobs)
        }
        if knobs.idleMusings, due(\.nextIdleCheck, now: now, interval: 300, jitter: 0.3) {
            pulses += await idleMusing(now: now, knobs: knobs)
        }
        if knobs.conversationReentry {
            planReentries(now: now, knobs: knobs)
            pulses += await dueReentries(now: now, knobs: knobs)
        }
        if knobs.selfDev, due(\.nextRefactoringScan, now: now, interval: 21_600, jitter: 0.2) {
            await refactoringScan(knobs: knobs)
        }
        return pulses
    }

    /// True when the loop's time came (and schedules its next run); the first run comes one
    /// interval after the loop is switched on.
    func due(_ slot: WritableKeyPath<LoopState, Date?>, now: Date, interval: Double, jitter: Double) -> Bool {
        state.withLock { state in
            guard let next = state[keyPath: slot] else {
                state[keyPath: slot] = now.addingTimeInterval(jittered(interval, jitter))
                return false
            }
            guard now >= next else { return false }
            state[keyPath: slot] = now.addingTimeInterval(jittered(interval, jitter))
            return true
        }
    }

    /// One question to the model; nil when it failed or declined (`declines` are its refusal words).
    func ask(_ prompt: String, declines: [String] = [], maxTokens: Int = 200) async -> String? {
        let request = ChatRequest(messages: [
            .system("You are Sparks, a self-hosted engineering assistant. Be brief and concrete; never invent facts."), .user(prompt),
        ], maxTokens: maxTokens)
        guard let text = try? await orchestrator.model.complete(request).message.content?.trimmingCharacters(in: .whitespacesAndNewlines),
              !text.isEmpty, !Refusal.isRefusal(text), !declines.contains(where: { text.uppercased().contains($0) })
        else { return nil }
        return orchestrator.secrets.redact(String(text.prefix(1000)))
    }

    func remember(_ category: String, _ content: String) async {
        if let memory = orchestrator.memory {
            _ = try? await memory.remember(category: category, content: content, source: "proactive")
        } else {
            _ = try? orchestrator.store.insertMemory(category: category, content: content, source: "proactive", embedding: nil)
        }
    }

    func chance(_ probability: Double) -> Bool { random.next() < min(max(probability, 0), 1) }

    // MARK: Memory scanner and idle musings

    func memoryScan(knobs: RuntimeKnobs) async -> [Pulse] {
        let memories = ((try? orchestrator.store.activeMemories(limit: 50)) ?? []).map { "- [\($0.category)] \($0.content.prefix(200))" }
        guard !memories.isEmpty else { return [] }
        let prompt = "Here are recent memories:\n" + memories.joined(separator: "\n")
            + "\n\nIs there a recurring pattern worth noting (a repeated failure, a habit, a risk)? Answer in 1–2 sentences, "
            + "or reply exactly NO_PATTERN."
        guard let pattern = await ask(prompt, declines: ["NO_PATTERN"]) else { return [] }
        await remember("pattern", pattern)
        await considerImprovement(pattern, relevance: 0.2, knobs: knobs)
        return chance(0.6 * knobs.spontaneity) ? [Pulse(source: .memoryScan, urgency: .low, content: pattern)] : []
    }

    func idleMusing(now: Date, knobs: RuntimeKnobs) async -> [Pulse] {
        let lastChat = (try? orchestrator.store.events(categories: [EventCategory.chatIn.rawValue], limit: 1).last?.createdAt) ?? nil
        let since = state.withLock { state -> Date in
            if state.idleSince == nil { state.idleSince = now }
            return max(lastChat ?? .distantPast, state.idleSince ?? now)
        }
        guard ReentryPlanner.isIdle(since: since, now: now, threshold: Double(knobs.idleThreshold)) else { return [] }
        state.withLock { $0.idleSince = now }
        let memories = ((try? orchestrator.store.activeMemories(limit: 200)) ?? []).shuffled().prefix(5).map { "- \($0.content.prefix(200))" }
        guard !memories.isEmpty else { return [] }
        let prompt = "While things are quiet, muse on these memories in 1–2 sentences: a connection, a question, an idea.\n"
            + memories.joined(separator: "\n") + "\nIf nothing comes to mind, reply exactly NOTHING_TO_SAY."
        guard let musing = await ask(prompt) else { return [] }
        await remember("musing", musing)
        await considerImprovement(musing, relevance: 0.15, knobs: knobs)
        return chance(0.5 * knobs.spontaneity) ? [Pulse(source: .idleMusing, urgency: .low, content: musing)] : []
    }

    // MARK: Improvement ideas

    /// §16.4: asks whether `thought` suggests a concrete code improvement; if so, and the gate
    /// (relevance × spontaneity) passes, and nothing like it failed recently, the idea is stored
    /// and an investigation-only task (no code changes) is queued.
    func considerImprovement(_ thought: String, relevance: Double, knobs: RuntimeKnobs) async {
        let prompt = "Does this suggest a concrete improvement to the code we work on?\n\n\(thought)\n\n"
            + "If yes, state the improvement in one sentence. Otherwise reply exactly NO_ACTION."
        guard let idea = await ask(prompt, declines: ["NO_ACTION"]), chance(relevance * knobs.spontaneity) else { return }
        guard !similarFailure(to: idea) else {
            logger.info("improvement idea skipped: something similar failed recently", metadata: ["idea": "\(idea.prefix(80))"])
            return
        }
        await remember("improvement_idea", idea)
        dispatch(goal: "Explore the feasibility of this improvement idea: \(idea)\nDo not make code changes: report what it would take, "
                     + "the risks, and whether it is worth doing.", spark: "scout", risk: "medium", source: "improvement_idea")
    }

    /// Whether a recent failure (a failed self-improvement task, or a memory recording a failed
    /// change) shares a distinctive word (over five letters) with `idea`.
    func similarFailure(to idea: String, within hours: Double = 48) -> Bool {
        let words = Set(idea.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { $0.count > 5 })
        guard !words.isEmpty else { return false }
        let since = clock().addingTimeInterval(-hours * 3600)
        let store = orchestrator.store
        let failedTasks = ((try? store.recentTasks(limit: 100, statuses: [.failed])) ?? [])
            .filter { $0.lane == "self_improvement" && $0.createdAt >= since }.map(\.goal)
        let failedMemories = ((try? store.activeMemories(limit: 500)) ?? [])
            .filter { ["code_change_failed", "refactoring_failed", "improvement_failed"].contains($0.category) && $0.createdAt >= since }
            .prefix(20).map(\.content)
        return (failedTasks + failedMemories).contains { text in
            let lowered = text.lowercased()
            return words.contains(where: lowered.contains)
        }
    }

    @discardableResult
    func dispatch(goal: String, spark: String, risk: String, source: String) -> UUID? {
        let known = orchestrator.config.spark(named: spark) != nil
        let request = Orchestrator.DispatchRequest(goal: goal, spark: known ? spark : nil, repository: repository, lane: "self_improvement",
                                                   risk: risk, source: source)
        do {
            let submission = try orchestrator.submit(request)
            return submission.outcome == nil ? submission.task.id : nil
        } catch {
            logger.info("a proactive task was not queued", metadata: ["source": "\(source)", "error": "\(error.message)"])
            return nil
        }
    }

    // MARK: Refactoring scanner

    /// Picks one refactoring from the code's structure (`code_structure` memories, else the
    /// repository's largest source files) and, past the spontaneity gate and the past-failure
    /// check, queues it for the coder (autonomy decides whether it may run).
    func refactoringScan(knobs: RuntimeKnobs) async {
        var structure = ((try? orchestrator.store.activeMemories(category: "code_structure", limit: 20)) ?? []).map { "- \($0.content.prefix(300))" }
        if structure.isEmpty { structure = Self.largestSourceFiles(in: repository).map { "- \($0.path): \($0.lines) lines" } }
        guard !structure.isEmpty else { return }
        let prompt = "The code's structure:\n" + structure.joined(separator: "\n")
            + "\n\nPick the single most valuable, low-risk refactoring and describe it in one or two sentences (which file, what "
            + "change, why). If none is worth it, reply exactly NO_REFACTORING."
        guard let opportunity = await ask(prompt, declines: ["NO_REFACTORING"]) else { return }
        await remember("refactoring_opportunity", opportunity)
        guard !similarFailure(to: opportunity), chance(0.3 * knobs.spontaneity) else { return }
        await remember("refactor_suggestion", opportunity)
        dispatch(goal: "Implement this refactoring: \(opportunity)\nKeep behaviour unchanged and run the tests.", spark: "coder",
                 risk: "high", source: "refactoring_scanner")
    }

    /// Source files by line count, largest first (skipping build output and dependencies).
    static func largestSourceFiles(in repository: String, limit: Int = 20) -> [(path: String, lines: Int)] {
        let extensions: Set<String> = ["swift", "rs", "py", "go", "ts", "js", "java", "kt", "c", "cc", "cpp", "h", "rb", "cs"]
        let skipped: Set<String> = [".git", ".build", "node_modules", "target", "build", "dist", "vendor", ".venv"]
        guard let walker = FileManager.default.enumerator(atPath: repository) else { return [] }
        var files: [(String, Int)] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if skipped.contains(name) { walker.skipDescendants(); continue }
            guard extensions.contains((name as NSString).pathExtension.lowercased()),
                  let text = try? String(contentsOfFile: repository + "/" + relative, encoding: .utf8) else { continue }
            files.append((relative, text.split(separator: "\n", omittingEmptySubsequences: false).count))
            if files.count > 5000 { break }
        }
        return files.sorted { $0.1 > $1.1 }.prefix(limit).map { (path: $0.0, lines: $0.1) }
    }

    // MARK: Conversation re-entry

    /// After chat turns (seen as `chat_out` events), plans a follow-up for the session with
    /// probability 0.3 × spontaneity, replacing any earlier plan for it.
    func planReentries(now: Date, knobs: RuntimeKnobs) {
        let store = orchestrator.store
        let cursor = state.withLock { $0.chatCursor }
        guard let cursor else {
            let newest = (try? store.events(limit: 1).last?.id) ?? 0
            state.withLock { $0.chatCursor = newest }
            return
        }
        guard let events = try? store.events(after: cursor), let last = events.last else { return }
        state.withLock { $0.chatCursor = last.id }
        let sessions = Set(events.filter { $0.category == EventCategory.chatOut.rawValue }.compactMap(\.sessionKey))
        for session in sessions.sorted() {
            let turns = (try? store.latestConversation(sessionKey: session).map { try store.messages(in: $0) }?.filter {
                $0.role == .user || $0.role == .assistant
            }.count) ?? 0
            guard ReentryPlanner.shouldPlan(turns: turns ?? 0, spontaneity: knobs.spontaneity, random: random) else { continue }
            let due = ReentryPlanner.due(after: now, delay: Double(knobs.reentryDelay), jitter: knobs.reentryJitter, random: random)
            board.saveReentries(state.withLock { state in
                state.reentries[session] = due
                return state.reentries
            })
            logger.debug("re-entry planned", metadata: ["session": "\(session)", "due": "\(due)"])
        }
    }

    func dueReentries(now: Date, knobs: RuntimeKnobs) async -> [Pulse] {
        let due = state.withLock { state -> [String] in
            let sessions = state.reentries.filter { $0.value <= now }.map(\.key).sorted()
            for session in sessions { state.reentries[session] = nil }
            return sessions
        }
        if !due.isEmpty { board.saveReentries(state.withLock { $0.reentries }) }
        var pulses: [Pulse] = []
        for session in due {
            guard let conversation = try? orchestrator.store.latestConversation(sessionKey: session),
                  let messages = try? orchestrator.store.messages(in: conversation) else { continue }
            let turns = messages.filter { $0.role == .user || $0.role == .assistant }.suffix(15)
            // More than 8 turns: all but the last 6 shortened to 120 characters.
            let lines = turns.enumerated().map { index, message in
                let text = message.content ?? ""
                let short = turns.count > 8 && index < turns.count - 6 ? String(text.prefix(120)) : text
                return "\(message.role.rawValue): \(short)"
            }
            let prompt = "Earlier conversation:\n" + lines.joined(separator: "\n")
                + "\n\nSome hours have passed. If a short, useful follow-up is worth sending (a check-in on what was planned, a "
                + "thought you had since), write it in 1–2 sentences. Otherwise reply exactly NO_FOLLOWUP."
            guard let followUp = await ask(prompt) else { continue }
            pulses.append(Pulse(source: .conversationReentry, urgency: .low, content: followUp, target: .session(session)))
        }
        return pulses
    }
}
