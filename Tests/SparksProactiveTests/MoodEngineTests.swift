import Foundation
import Testing

@testable import SparksProactive

@Suite struct MoodEngineTests {
    @Test(arguments: [
        (0.0, 0.2), (3.0, 0.2), (5.99, 0.2), (6.0, 0.2), (7.5, 0.5), (9.0, 0.8), (10.0, 0.85),
        (11.0, 0.9), (12.5, 0.75), (14.0, 0.6), (14.5, 0.55), (15.0, 0.5), (16.0, 0.6),
        (17.0, 0.7), (19.0, 0.55), (21.0, 0.4), (22.5, 0.3), (24.0, 0.2), (34.0, 0.85),
    ])
    func targetEnergyFollowsTheDailyCurve(hour: Double, expected: Double) {
        #expect(abs(MoodEngine.targetEnergy(localHour: hour) - expected) < 1e-9)
    }

    @Test func targetEnergyStaysWithinClampBounds() {
        let values = stride(from: 0.0, through: 24, by: 0.25).map { MoodEngine.targetEnergy(localHour: $0) }
        #expect(values.allSatisfy { (0.1...1).contains($0) })
        #expect(abs((values.max() ?? 0) - 0.9) < 1e-9)
    }

    @Test func localHourIncludesMinutesAndZoneOffset() {
        let date = utc(2025, 1, 15, 23, 30)
        #expect(MoodEngine.localHour(of: date, in: zone("UTC")) == 23.5)
        #expect(MoodEngine.localHour(of: date, in: zone("Europe/Berlin")) == 0.5)
    }

    @Test func driftWithCentredNoiseIsPureArithmetic() {
        // 10:00 UTC: target 0.85. Noise draws of 0.5 are zero; 0.5 ≥ 0.2 keeps the modifier.
        let random = ScriptedRandom([0.5, 0.5, 0.5])
        let (state, events) = MoodEngine.drift(
            MoodState(energy: 0.7, valence: 0.4, modifier: .curious), now: utc(2025, 3, 10, 10),
            timeZone: zone("UTC"), random: random.source)
        #expect(abs(state.energy - 0.73) < 1e-9)  // 0.8·0.7 + 0.2·0.85
        #expect(abs(state.valence - 0.36) < 1e-9)  // 0.9·0.4
        #expect(state.modifier == .curious)
        #expect(events.isEmpty)
        #expect(random.drawn == 3)
    }

    @Test func driftNoiseSpansItsRange() {
        // Draw 0 → −0.05 energy, −0.1 valence; draw near 1 → +0.05, +0.1.
        let low = MoodEngine.drift(
            MoodState(energy: 0.5, valence: 0), now: utc(2025, 3, 10, 10), timeZone: zone("UTC"),
            random: ScriptedRandom([0, 0, 0.9]).source
        ).state
        #expect(abs(low.energy - (0.4 + 0.17 - 0.05)) < 1e-9)
        #expect(abs(low.valence - -0.1) < 1e-9)

        let high = MoodEngine.drift(
            MoodState(energy: 0.5, valence: 0), now: utc(2025, 3, 10, 10), timeZone: zone("UTC"),
            random: ScriptedRandom([almostOne, almostOne, 0.9]).source
        ).state
        #expect(abs(high.energy - (0.4 + 0.17 + 0.05)) < 1e-6)
        #expect(abs(high.valence - 0.1) < 1e-6)
    }

    @Test func driftReadsTheHourInTheGivenZone() {
        // 23:30 UTC in winter is 00:30 in Berlin: target 0.2 there, ≈0.2375 in UTC.
        let state = MoodState(energy: 0.2, valence: 0)
        let date = utc(2025, 1, 15, 23, 30)
        let berlin = MoodEngine.drift(
            state, now: date, timeZone: zone("Europe/Berlin"), random: ScriptedRandom([0.5, 0.5, 0.5]).source)
        let utcDrift = MoodEngine.drift(state, now: date, timeZone: zone("UTC"), random: ScriptedRandom([0.5, 0.5, 0.5]).source)
        #expect(abs(berlin.state.energy - 0.2) < 1e-9)
        #expect(abs(utcDrift.state.energy - (0.16 + 0.2 * (0.4 - 0.2 * 2.5 / 3))) < 1e-9)
    }

    @Test func modifierSwitchesToADifferentOneOnALowRoll() {
        // Roll 0.1 < 0.2 switches; 0.0 picks the first modifier other than curious: focused.
        let random = ScriptedRandom([0.5, 0.5, 0.1, 0.0])
        let (state, events) = MoodEngine.drift(
            MoodState(energy: 0.85, valence: 0, modifier: .curious), now: utc(2025, 3, 10, 10),
            timeZone: zone("UTC"), random: random.source)
        #expect(state.modifier == .focused)
        #expect(events == [.moodChange(from: .curious, to: .focused)])
        #expect(random.drawn == 4)

        // The last slot of the nine others, from calm, is precise; never calm itself.
        let last = MoodEngine.drift(
            MoodState(energy: 0.85, modifier: .calm), now: utc(2025, 3, 10, 10), timeZone: zone("UTC"),
            random: ScriptedRandom([0.5, 0.5, 0.0, 0.99]).source)
        #expect(last.state.modifier == .precise)
    }

    @Test func modifierStaysOnARollAtTheThreshold() {
        let (state, events) = MoodEngine.drift(
            MoodState(energy: 0.85, modifier: .warm), now: utc(2025, 3, 10, 10), timeZone: zone("UTC"),
            random: ScriptedRandom([0.5, 0.5, 0.2]).source)
        #expect(state.modifier == .warm)
        #expect(events.isEmpty)
    }

    @Test func energyShiftEventNeedsAChangeOfAtLeastOneTenth() {
        // 03:00: target 0.2. From 0.9: 0.72 + 0.04 = 0.76, a drop of 0.14.
        let big = MoodEngine.drift(
            MoodState(energy: 0.9), now: utc(2025, 3, 10, 3), timeZone: zone("UTC"),
            random: ScriptedRandom([0.5, 0.5, 0.9]).source)
        #expect(big.events.count == 1)
        guard case .energyShift(let from, let to)? = big.events.first else {
            Issue.record("expected an energy shift, got \(big.events)")
            return
        }
        #expect(from == 0.9)
        #expect(abs(to - 0.76) < 1e-9)

        // From 0.65: 0.52 + 0.04 = 0.56, a drop of 0.09 — below the threshold.
        let small = MoodEngine.drift(
            MoodState(energy: 0.65), now: utc(2025, 3, 10, 3), timeZone: zone("UTC"),
            random: ScriptedRandom([0.5, 0.5, 0.9]).source)
        #expect(small.events.isEmpty)

        // From 0.7: exactly 0.1, which counts.
        let exact = MoodEngine.drift(
            MoodState(energy: 0.7), now: utc(2025, 3, 10, 3), timeZone: zone("UTC"),
            random: ScriptedRandom([0.5, 0.5, 0.9]).source)
        #expect(exact.events.count == 1)
    }

    @Test func driftClampsEnergyAndValence() {
        let (state, _) = MoodEngine.drift(
            MoodState(energy: 1, valence: -1), now: utc(2025, 3, 10, 11), timeZone: zone("UTC"),
            random: ScriptedRandom([almostOne, 0, 0.9]).source)
        // 0.8 + 0.18 + 0.05 = 1.03 → 1; −0.9 − 0.1 = −1.0.
        #expect(state.energy == 1)
        #expect(state.valence >= -1)
        #expect(abs(state.valence - -1) < 1e-9)
    }

    @Test func interactionLiftsEnergyAndValenceWithinBounds() {
        let lifted = MoodEngine.interaction(MoodState(energy: 0.5, valence: 0.2, modifier: .playful))
        #expect(abs(lifted.energy - 0.55) < 1e-9)
        #expect(abs(lifted.valence - 0.25) < 1e-9)
        #expect(lifted.modifier == .playful)
        let capped = MoodEngine.interaction(MoodState(energy: 0.98, valence: 1))
        #expect(capped.energy == 1)
        #expect(capped.valence == 1)
    }

    @Test func defaultsAreCalmAndFairlyAwake() {
        #expect(MoodState() == MoodState(energy: 0.7, valence: 0, modifier: .calm))
        #expect(MoodModifier.allCases.count == 10)
    }

    @Test(arguments: [
        (0.8, "very energetic"), (0.95, "very energetic"), (0.79, "alert and engaged"),
        (0.6, "alert and engaged"), (0.59, "steady"), (0.4, "steady"), (0.39, "a bit low-energy"),
        (0.2, "a bit low-energy"), (0.19, "quite tired"), (0.0, "quite tired"),
    ])
    func promptLineNamesEnergyBands(energy: Double, feeling: String) {
        #expect(
            MoodEngine.promptLine(MoodState(energy: energy, valence: 0, modifier: .focused))
                == "Current mood: feeling \(feeling) and neutral, in a focused state.")
    }

    @Test(arguments: [
        (0.31, "positive"), (0.3, "neutral"), (0.0, "neutral"), (-0.3, "neutral"), (-0.31, "a bit subdued"),
    ])
    func promptLineNamesValenceBands(valence: Double, tone: String) {
        #expect(
            MoodEngine.promptLine(MoodState(energy: 0.5, valence: valence, modifier: .warm))
                == "Current mood: feeling steady and \(tone), in a warm state.")
    }
}
