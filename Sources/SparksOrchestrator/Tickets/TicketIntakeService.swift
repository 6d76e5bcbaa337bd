import Foundation
import Logging
import ServiceLifecycle
import SparksConfig
import SparksCore
import SparksProactive

/// The daemon's ticket loops: a poll of every source every `[tickets] poll_interval_secs`
/// (± 15 %, first after a short delay) while the `ticket_intake` knob is on (`[tickets] enabled`
/// sets it; `sparks knobs set ticket_intake off` pauses polling without a restart), and the
/// write-back of finished ticket tasks every `writeback_interval_secs` (also for webhook tickets).
public final class TicketIntakeService: Service, Sendable {
    let intake: TicketIntake
    let sleep: @Sendable (Duration) async throws -> Void
    let random: @Sendable () -> Double

    public init(intake: TicketIntake,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.intake = intake
        self.sleep = sleep
        self.random = random
    }

    /// Runs until cancelled or a graceful shutdown, which ends the sleeps at once (a poll can be
    /// minutes away).
    public func run() async throws {
        _ = try? await cancelWhenGracefulShutdown { [self] in await loops() }
    }

    func loops() async {
        let settings = intake.orchestrator.config.tickets
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                let interval = Double(settings.pollIntervalSecs)
                var delay = min(30, interval / 2)
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    guard (try? await sleep(.milliseconds(Int(delay * 1000)))) != nil else { return }
                    if Task.isShuttingDownGracefully { return }
                    if intake.orchestrator.knobs.ticketIntake { _ = await intake.poll() }
                    delay = interval * (0.85 + 0.3 * random())
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
