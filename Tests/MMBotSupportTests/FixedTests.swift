import Testing
@testable import MMBotSupport

@Suite struct FixedTests {
    @Test func parsesAndPrintsShortestExactText() {
        #expect(Fixed("50000")?.description == "50000")
        #expect(Fixed("0.18")?.description == "0.18")
        #expect(Fixed("-3.50")?.description == "-3.5")
        #expect(Fixed(".5")?.description == "0.5")
        #expect(Fixed("+7")?.description == "7")
        #expect(Fixed("0.00000001")?.raw == 1)
        #expect(Fixed("1.100000000")?.description == "1.1")
    }

    @Test(arguments: ["", "-", ".", "1.2.3", "1e5", "abc", " 1", "1,5", "0.000000001", "92233720369"])
    func rejectsMalformedOrOutOfRange(_ text: String) {
        #expect(Fixed(text) == nil)
    }

    @Test func additionIsExactWhereDoubleIsNot() {
        let sum = Fixed("0.1")! + Fixed("0.2")!
        #expect(sum.description == "0.3")
        #expect(sum == Fixed("0.3")!)
    }

    @Test func multiplicationIsExactForPriceTimesQuantity() {
        #expect(Fixed("49995.1")!.multiplied(by: Fixed("0.123")!).description == "6149.3973")
        // Both operands large: exercises the 128-bit path.
        #expect(Fixed("50000")!.multiplied(by: Fixed("100000")!).description == "5000000000")
        #expect(Fixed("-2.5")!.multiplied(by: Fixed("0.5")!).description == "-1.25")
    }

    @Test func multiplicationRoundsAsAsked() {
        let a = Fixed("0.00000005")!
        let half = Fixed("0.5")!
        #expect(a.multiplied(by: half, rounding: .halfEven).raw == 2)  // 2.5 → 2
        #expect(Fixed("0.00000007")!.multiplied(by: half, rounding: .halfEven).raw == 4)  // 3.5 → 4
        #expect(a.multiplied(by: half, rounding: .up).raw == 3)
        #expect(a.multiplied(by: half, rounding: .down).raw == 2)
        #expect((-a).multiplied(by: half, rounding: .down).raw == -3)
        #expect((-a).multiplied(by: half, rounding: .towardZero).raw == -2)
    }

    @Test func divisionRoundsAsAsked() {
        #expect(Fixed(4000).divided(by: Fixed("49995")!, rounding: .down).description == "0.080008")
        #expect(Fixed(1).divided(by: Fixed(3), rounding: .down).description == "0.33333333")
        #expect(Fixed(1).divided(by: Fixed(3), rounding: .up).description == "0.33333334")
        #expect(Fixed(2).divided(by: Fixed(3), rounding: .halfEven).description == "0.66666667")
        #expect(Fixed(-1).divided(by: Fixed(3), rounding: .down).description == "-0.33333334")
        #expect(Fixed(1).divided(by: Fixed(-4), rounding: .towardZero).description == "-0.25")
    }

    @Test func roundsToTickAndStep() {
        let tick = Fixed("0.1")!
        #expect(Fixed("49995.04")!.rounded(toMultipleOf: tick, .down).description == "49995")
        #expect(Fixed("49995.04")!.rounded(toMultipleOf: tick, .up).description == "49995.1")
        #expect(Fixed("49995.1")!.rounded(toMultipleOf: tick, .up).description == "49995.1")
        #expect(Fixed("-0.15")!.rounded(toMultipleOf: tick, .down).description == "-0.2")
        #expect(Fixed("0.25")!.rounded(toMultipleOf: tick, .halfEven).description == "0.2")
        #expect(Fixed("0.35")!.rounded(toMultipleOf: tick, .halfEven).description == "0.4")
        #expect(Fixed("0.0809")!.rounded(toMultipleOf: Fixed("0.001")!, .down).description == "0.08")
    }

    @Test func formatsWithFixedPlaces() {
        #expect(Fixed("0.1")!.formatted(places: 2) == "0.10")
        #expect(Fixed(5).formatted(places: 3) == "5.000")
        #expect(Fixed("1.25")!.formatted(places: 2) == "1.25")
    }
}

@Suite struct FixedMultiplicationAgreementTests {
    /// The split fast path must agree with the 128-bit reference on every rounding mode.
    @Test func fastPathAgreesWithWideReference() {
        var rng = SeededRandom(seed: 2024)
        let modes: [Fixed.Rounding] = [.down, .up, .towardZero, .halfEven]
        for _ in 0..<20_000 {
            let a = Fixed(raw: rng.next(from: -9_000_000_000_000, through: 9_000_000_000_000))
            let b = Fixed(raw: rng.next(from: -90_000_000_000, through: 90_000_000_000))
            for mode in modes {
                #expect(a.multiplied(by: b, rounding: mode) == a.wideMultiplied(by: b, rounding: mode))
            }
        }
    }
}
