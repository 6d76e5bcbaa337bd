import Foundation
import Testing

@testable import SparksProactive

@Suite struct ProcessSamplerTests {
    @Test func readsRSSTotalMemoryAndCPUFromCannedProc() throws {
        let proc = try FakeProc(status: FakeProc.status, stat: FakeProc.stat(), meminfo: FakeProc.meminfo)
        defer { proc.remove() }
        let clock = ManualClock()
        let sampler = ProcessSampler(procRoot: proc.root.path, clockTicksPerSecond: 100, now: { clock.now })

        let sample = try sampler.sample()

        #expect(sample.rssBytes == 87244 * 1024)
        #expect(sample.totalMemoryBytes == 16_384_000 * 1024)
        #expect(sample.cpuSeconds == 18.01)  // (1234 + 567) ticks / 100
        #expect(sample.at == clock.now)
    }

    @Test func statFieldsAreCountedFromTheLastParenthesis() throws {
        let line = "7 (a) (b) c) R 1 2 3 4 5 6 7 8 9 10 22 33 0"
        #expect(try ProcessSampler.parseCPUTicks(stat: line) == 55)
    }

    @Test func cpuPercentBetweenTwoSamplesOfTheFakeProc() throws {
        let proc = try FakeProc(status: FakeProc.status, stat: FakeProc.stat(utime: 1000, stime: 500), meminfo: FakeProc.meminfo)
        defer { proc.remove() }
        let clock = ManualClock()
        let sampler = ProcessSampler(procRoot: proc.root.path, clockTicksPerSecond: 100, now: { clock.now })

        let first = try sampler.sample()
        clock.advance(by: 10)
        try proc.write(FakeProc.stat(utime: 1200, stime: 550), to: "self/stat")
        let second = try sampler.sample()

        // 250 ticks = 2.5 CPU seconds over 10 wall seconds.
        #expect(ProcessSampler.cpuPercent(from: first, to: second) == 25)
    }

    @Test func cpuPercentIsZeroWithoutElapsedTimeOrForBackwardsCPU() {
        let t0 = Date(timeIntervalSince1970: 1000)
        let a = ProcessSample(at: t0, rssBytes: 0, totalMemoryBytes: 0, cpuSeconds: 5)
        let sameTime = ProcessSample(at: t0, rssBytes: 0, totalMemoryBytes: 0, cpuSeconds: 9)
        let backwards = ProcessSample(at: t0.addingTimeInterval(10), rssBytes: 0, totalMemoryBytes: 0, cpuSeconds: 1)
        let busy = ProcessSample(at: t0.addingTimeInterval(2), rssBytes: 0, totalMemoryBytes: 0, cpuSeconds: 8)

        #expect(ProcessSampler.cpuPercent(from: a, to: sameTime) == 0)
        #expect(ProcessSampler.cpuPercent(from: sameTime, to: a) == 0)
        #expect(ProcessSampler.cpuPercent(from: a, to: backwards) == 0)
        #expect(ProcessSampler.cpuPercent(from: a, to: busy) == 150)  // two cores busy for 1.5 s of 2 s
    }

    @Test func missingProcIsReportedAsUnreadable() {
        let sampler = ProcessSampler(procRoot: "/nonexistent-\(UUID().uuidString)", clockTicksPerSecond: 100)
        #expect {
            try sampler.sample()
        } throws: { error in
            (error as? SelfMetricsError)?.code == .procUnreadable
        }
    }

    @Test func statusWithoutVmRSSIsMalformed() throws {
        let proc = try FakeProc(status: "Name:\tx\nThreads:\t1\n", stat: FakeProc.stat(), meminfo: FakeProc.meminfo)
        defer { proc.remove() }
        let sampler = ProcessSampler(procRoot: proc.root.path, clockTicksPerSecond: 100)
        let error = #expect(throws: SelfMetricsError.self) { try sampler.sample() }
        #expect(error?.code == .procMalformed)
        #expect(error?.path.hasSuffix("self/status") == true)
    }

    @Test func truncatedStatIsMalformed() {
        let short = #expect(throws: SelfMetricsError.self) { try ProcessSampler.parseCPUTicks(stat: "1 (x) S 1 2 3") }
        #expect(short?.code == .procMalformed)
        let noParen = #expect(throws: SelfMetricsError.self) { try ProcessSampler.parseCPUTicks(stat: "1 x S 1 2") }
        #expect(noParen?.code == .procMalformed)
    }

    @Test func kilobyteFieldIsConvertedToBytes() throws {
        #expect(try ProcessSampler.parseKilobyteField("MemTotal", in: FakeProc.meminfo) == 16_384_000 * 1024)
        // Names match whole: "Mem" is not the "MemTotal" line.
        let error = #expect(throws: SelfMetricsError.self) {
            try ProcessSampler.parseKilobyteField("Mem", in: FakeProc.meminfo)
        }
        #expect(error?.code == .procMalformed)
    }

    #if os(Linux)
        @Test func readsTheRealProcOfThisProcess() throws {
            let sample = try ProcessSampler().sample()
            #expect(sample.rssBytes > 0)
            #expect(sample.totalMemoryBytes > sample.rssBytes)
        }
    #endif
}
