import Foundation
import SparksCore
import SparksObserve
import SparksStore
import Testing

@Suite struct KPITests {
    func outcome(_ status: TaskStatus, at minutes: Double, verify: Int? = nil, rolledBack: Bool = false, spark: String = "coder") -> KPIOutcome {
        KPIOutcome(taskID: UUID(), spark: spark, lane: "delivery", repo: "app", risk: "low", status: status, verifyExitCode: verify,
                   rolledBack: rolledBack, promptTokens: 1000, completionTokens: 200, durationMs: 30_000,
                   finishedAt: Date(timeIntervalSince1970: minutes * 60))
    }

    @Test func ratesTimeToFixAndCostComeFromOutcomes() {
        let outcomes = [
            outcome(.failed, at: 0, verify: 1),
            outcome(.failed, at: 10, verify: 2),
            outcome(.succeeded, at: 30, verify: 0),       // fixes both: 30 and 20 minutes
            outcome(.succeeded, at: 40, verify: 0, rolledBack: true),
            outcome(.failed, at: 50),                      // never fixed: not in the mean
        ]
        let report = KPIReport.compute(outcomes, scope: KPIScope(repo: "app"), prices: PriceBook(inputPerMillion: 5, outputPerMillion: 15),
                                       windowDays: 14)
        #expect(report.tasks == 5)
        #expect(report.successRate == 0.4)
        #expect(report.verificationPassRate == 0.5)          // 2 of 4 verify commands exited 0
        #expect(report.rollbackRate == 0.5)                  // 1 of 2 successes was rolled back
        #expect(abs((report.meanTimeToFixSecs ?? 0) - 25 * 60) < 0.001)
        #expect(abs(report.costUSD - 5 * (1000 * 5 + 200 * 15) / 1_000_000) < 1e-9)
        #expect(report.tokensPerTask == 1200)
        let verdicts = report.against(MissionTargets())
        #expect(verdicts.map(\.met) == [false, false, false, true])
        let text = report.text()
        #expect(text.contains("task_success_rate=40.00% (2/5)"))
        #expect(text.contains("mean_time_to_fix=25.0m"))
        #expect(report.json["verification_pass_rate"]?.doubleValue == 0.5)
    }

    @Test func anEmptyScopeSaysNoData() {
        let report = KPIReport.compute([], scope: KPIScope(), prices: .defaults(provider: "local"), windowDays: nil)
        #expect(report.successRate == nil)
        #expect(report.text().contains("task_success_rate=n/a (0/0)"))
        #expect(report.against(MissionTargets()).allSatisfy { $0.met == nil })
    }
}
