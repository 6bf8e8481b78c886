import MMBotSupport

/// The synthetic edge estimate, in basis points, per symbol and iteration.
///
/// edge(i) = 2 + 8 × (1 − i/(N−1))² + noise, rounded to 0.01 bp, where N is the run's
/// iteration count (for N = 1 the trend is 10). The noise is a bounded random walk: each
/// iteration it moves by a whole number of hundredths in [−0.10, +0.10] and is clamped to
/// [−0.40, +0.40]. So the edge starts near 10 bp, falls toward about 2 bp by the end of the run,
/// and never goes below 1.60 bp: with the default `--edge-threshold 1.5` a run never freezes.
package struct EdgeModel {
    private static let floor = Fixed(2)
    private static let span = Fixed(8)
    private static let noiseStep: Int64 = 10
    private static let noiseBound: Int64 = 40
    private static let hundredth = Fixed(units: 1, decimals: 2)

    private let iterations: Int
    private var noise: [Int64]
    private var rngs: [SeededRandom]

    package init(symbols: [Symbol], iterations: Int, seed: UInt64) {
        self.iterations = iterations
        noise = Array(repeating: 0, count: symbols.count)
        rngs = symbols.map { SeededRandom(seed: seed, stream: "edge/" + $0.name) }
    }

    /// The trend component at `iteration`, exact to 8 decimals.
    package static func trend(iteration: Int, iterations: Int) -> Fixed {
        guard iterations > 1 else { return floor + span }
        let remaining = UInt64(iterations - 1 - min(max(iteration, 0), iterations - 1))
        let whole = UInt64(iterations - 1)
        // span × remaining² / whole², in 128-bit so soak-length runs cannot overflow.
        let numerator = (remaining * remaining).multipliedFullWidth(by: UInt64(span.raw))
        let (quotient, remainder) = (whole * whole).dividingFullWidth(numerator)
        let twice = remainder.multipliedFullWidth(by: 2)
        let roundUp = twice.high > 0 || twice.low >= whole * whole
        return floor + Fixed(raw: Int64(quotient + (roundUp ? 1 : 0)))
    }

    /// Advances symbol `index`'s noise and returns its edge at `iteration`.
    package mutating func next(symbol index: Int, iteration: Int) -> Fixed {
        let move = rngs[index].next(from: -EdgeModel.noiseStep, through: EdgeModel.noiseStep)
        noise[index] = max(-EdgeModel.noiseBound, min(EdgeModel.noiseBound, noise[index] + move))
        let value = EdgeModel.trend(iteration: iteration, iterations: iterations) + EdgeModel.hundredth * noise[index]
        return value.rounded(toMultipleOf: EdgeModel.hundredth, .halfEven)
    }
}
