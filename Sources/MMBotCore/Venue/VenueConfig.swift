import MMBotSupport

/// How the simulated venue behaves. Probabilities are exact `Fixed` values in [0, 1].
package struct VenueConfig: Sendable, Equatable {
    /// Chance that an accepted order is filled at all.
    package var fillRate: Fixed
    /// Chance that an order is refused at placement.
    package var rejectRate: Fixed
    /// Virtual milliseconds between placement and the earliest fill.
    package var latencyMs: Int64
    /// Chance that a fill comes in two parts (the second `latencyMs` after the first).
    package var partialFillRate: Fixed

    package static let defaultPartialFillRate = Fixed(units: 2, decimals: 1)

    package init(fillRate: Fixed, rejectRate: Fixed, latencyMs: Int64, partialFillRate: Fixed = VenueConfig.defaultPartialFillRate) {
        self.fillRate = fillRate
        self.rejectRate = rejectRate
        self.latencyMs = latencyMs
        self.partialFillRate = partialFillRate
    }
}

/// Why the venue refused an order at placement. The raw values are the report's and the
/// metrics' reason labels.
package enum RejectReason: String, Sendable, Hashable, CaseIterable {
    /// The seeded `--reject-rate` draw said no (a venue-side refusal such as a margin check).
    case venueRejected = "venue_rejected"
    /// A post-only order would have crossed the book (Bybit's EC_PostOnlyWillTakeLiquidity).
    case postOnlyWouldTake = "post_only_would_take"
    /// Price not on the tick grid.
    case invalidPrice = "invalid_price"
    /// Quantity not on the step grid or below the minimum (Bybit 110017).
    case invalidQuantity = "invalid_quantity"
    /// Price × quantity below the minimum notional (Bybit 110094).
    case belowMinNotional = "below_min_notional"
    /// The venue does not list the symbol.
    case unknownSymbol = "unknown_symbol"
    /// An order with this client id already exists (Bybit 110072, duplicate orderLinkId).
    case duplicateClientID = "duplicate_client_order_id"
}
