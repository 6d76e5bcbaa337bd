import Foundation
import Logging
import ServiceLifecycle
import SparksConfig
import SparksCore

/// The daemon's ticket loops: a poll of every source every `[tickets] poll_interval_secs`
/// (± 15 %, first after a short delay) when `[tickets] enabled`, and the write-back of finished
/// ticket tasks every `writeback_interval_secs` (also when only webhooks bring tickets in).
public final class TicketIntakeService: Service, Sendable {
    let intake: TicketIntake
    let polling: Bool
    let sleep: @Sendable (Duration) async throws -> Void
    let random: @Sendable () -> Double

    public init(intake: TicketIntake, polling: Bool,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.intake = intake
        self.polling = polling
        self.sleep = sleep
        self.random = random
    }

    public func run() async throws {
        let settings = intake.orchestrator.config.tickets
        await withTaskGroup(of: Void.self) { group in
            if polling {
                group.addTask { [self] in
                    let interval = Double(settings.pollIntervalSecs)
                    var delay = min(30, interval / 2)
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        guard (try? await sleep(.milliseconds(Int(delay * 1000)))) != nil else { return }
                        if Task.isShuttingDownGracefully { return }
                        _ = await intake.poll()
                        delay = interval * (0.85 + 0.3 * random())
                    }
                }
            }
            group.addTask { [self] in
                let interval = Duration.seconds(settings.writebackIntervalSecs)
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    guard (try? await sleep(interval)) != nil else { return }
                    if Task.isShuttingDownGracefully { return }
                    _ = await intake.writeBack()
                }
            }
            await group.waitForAll()
        }
    }
}
