import Foundation
import Logging
import SparksConfig
import SparksCore
import SparksIntake
import SparksStore

extension TicketIntake {
    /// What one poll of one source did.
    public struct SourcePoll: Sendable {
        public var source: String
        public var fetched = 0
        public var queued: [UUID] = []
        public var duplicates = 0
        public var blocked = 0
        /// Why the source was skipped or failed (no token, HTTP error), already redacted.
        public var error: String?
    }

    /// Polls every source that has `poll` on once and admits what it finds.
    public func poll() async -> [SourcePoll] {
        var results: [SourcePoll] = []
        for source in sources where source.poll {
            results.append(await poll(source))
        }
        return results
    }

    func poll(_ source: TicketSourceSettings) async -> SourcePoll {
        var result = SourcePoll(source: source.name)
        let tickets: [Ticket]
        do {
            tickets = try await Self.tracker(for: source).fetchOpenTickets(using: transport)
        } catch {
            let text = "\(error.message) (\(error.hint))"
            result.error = text
            store.emit(.ticket, "polling \(source.name) failed: \(text)",
                       details: .object(["source": .string(source.name), "code": .string(error.code.rawValue)]))
            logger.warning("ticket poll failed", metadata: ["source": "\(source.name)", "error": "\(text)"])
            return result
        }
        result.fetched = tickets.count
        // Oldest first, so tickets become tasks in the order people filed them.
        for ticket in tickets.reversed() {
            do {
                switch try admit(ticket, source: source, via: "poll") {
                case .queued(let id, _): result.queued.append(id)
                case .duplicate: result.duplicates += 1
                case .blocked: result.blocked += 1
                case .ignored: break
                }
            } catch {
                result.error = error.message
                logger.warning("ticket not taken in", metadata: ["ticket": "\(ticket.id)", "error": "\(error.message)"])
            }
        }
        return result
    }

    /// One ticket reported back.
    public struct WriteBack: Sendable, Hashable {
        public var dedupKey: String
        /// `synced`, `sync_failed` or `sync_skipped`.
        public var status: String
        public var closed: Bool
        public var error: String?
    }

    /// Comments on every ticket whose task ended (or was refused) and closes those that
    /// succeeded, up to `limit` per call.
    public func writeBack(limit: Int = 25) async -> [WriteBack] {
        let records: [TicketIntakeRecord]
        do { records = try store.ticketsAwaitingWriteBack(limit: limit) } catch {
            logger.error("could not read the ticket intake log", metadata: ["error": "\(error.message)"])
            return []
        }
        var results: [WriteBack] = []
        for record in records {
            results.append(await writeBack(record))
        }
        return results
    }

    func writeBack(_ record: TicketIntakeRecord) async -> WriteBack {
        var result = WriteBack(dedupKey: record.dedupKey, status: "synced", closed: false)
        guard let ticket = try? JSONDecoder().decode(Ticket.self, from: Data(record.ticket.utf8)),
              let source = sources.first(where: { $0.name == record.source })
        else {
            result.status = "sync_skipped"
            result.error = "the source \(record.source) is no longer configured"
            try? store.markTicketSynced(dedupKey: record.dedupKey, status: result.status, error: result.error)
            return result
        }
        let task = record.taskID.flatMap { try? store.task(idPrefix: $0.uuidString.lowercased()) }
        let status: String
        let succeeded = task?.status == .succeeded
        if record.status == "blocked" {
            status = "not started: " + (task?.reason?.rawValue ?? record.syncError ?? "refused")
        } else if let task {
            status = task.status.rawValue + (task.reason.map { " (\($0.rawValue))" } ?? "")
        } else {
            status = "unknown"
        }
        let goal = task?.goal ?? TicketMapping.task(for: ticket).goal
        var lines = TicketStatusComment.text(status: status, goal: goal, finished: task?.finishedAt,
                                             error: succeeded ? nil : (task?.error ?? record.syncError),
                                             secrets: orchestrator.config.knownSecrets.map { $0.reveal() })
        if let task {
            lines += "\nTask: \(task.id.uuidString.lowercased())"
            if succeeded, let summary = task.summary, !summary.isEmpty {
                lines += "\n\n" + String(orchestrator.secrets.redact(summary).prefix(2000))
            }
        }
        do {
            let tracker = try Self.tracker(for: source)
            try await tracker.comment(on: ticket, text: lines, using: transport)
            if succeeded && source.closeOnSuccess {
                try await tracker.close(ticket, using: transport)
                result.closed = true
            }
        } catch {
            result.status = "sync_failed"
            result.error = "\(error.message) (\(error.hint))"
        }
        try? store.markTicketSynced(dedupKey: record.dedupKey, status: result.status, error: result.error)
        store.emit(.ticket, result.status == "synced"
                   ? "ticket \(record.dedupKey) updated\(result.closed ? " and closed" : "") (\(status))"
                   : "writing back ticket \(record.dedupKey) failed: \(result.error ?? "")",
                   taskID: record.taskID, details: .object(["ticket": .string(record.dedupKey), "status": .string(result.status),
                                                            "closed": .bool(result.closed)]))
        return result
    }
}
