import Testing
@testable import MMBotSupport

@Suite struct SeededRandomTests {
    @Test func splitMix64MatchesReferenceOutput() {
        // Reference values of SplitMix64 seeded with 1234567 (Vigna's splitmix64.c).
        var sm = SplitMix64(state: 1_234_567)
        let outputs = [sm.next(), sm.next(), sm.next()]
        #expect(outputs == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423])
    }

    @Test func sameSeedSameStreamSameDraws() {
        var a = SeededRandom(seed: 42, stream: "venue")
        var b = SeededRandom(seed: 42, stream: "venue")
        for _ in 0..<1000 {
            let (x, y) = (a.next(), b.next())
            #expect(x == y)
        }
    }

    @Test func streamsAreIndependent() {
        var a = SeededRandom(seed: 42, stream: "market/BTCUSDT")
        var b = SeededRandom(seed: 42, stream: "market/ETHUSDT")
        let same = (0..<100).filter { _ in a.next() == b.next() }.count
        #expect(same == 0)
    }

    @Test func boundedDrawsStayInRangeAndCoverIt() {
        var rng = SeededRandom(seed: 7)
        var seen = Set<Int64>()
        for _ in 0..<10_000 {
            let v = rng.next(from: -3, through: 3)
            #expect((-3...3).contains(v))
            seen.insert(v)
        }
        #expect(seen.count == 7)
    }

    @Test func chanceMatchesProbability() {
        var rng = SeededRandom(seed: 99)
        let p = Fixed("0.8")!
        let hits = (0..<100_000).filter { _ in rng.chance(p) }.count
        #expect(abs(hits - 80_000) < 1_000)
        let never = rng.chance(.zero)
        let always = rng.chance(.one)
        #expect(!never)
        #expect(always)
    }
}
