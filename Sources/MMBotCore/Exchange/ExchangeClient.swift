import MMBotSupport

/// A failure talking to a venue (never a refusal of an order, which is a `PlaceOutcome`).
package struct ExchangeError: Error, Sendable, CustomStringConvertible, Equatable {
    package let message: String
    /// True when no later request can succeed either (the venue refused our credentials): the
    /// loop stops trading instead of sending requests that will all be refused.
    package let fatal: Bool
    package init(_ message: String, fatal: Bool = false) {
        self.message = message
        self.fatal = fatal
    }
    package var description: String { message }
}

/// What the execution loop needs from a venue. Calls are synchronous: the loop is one thread
/// and a network client blocks that thread for the round trip, as the loop must wait anyway.
package protocol ExchangeClient: AnyObject {
    /// A short name for reports and logs: fake, dryrun, bybit.
    var name: String { get }
    func place(_ request: OrderRequest) throws(ExchangeError) -> PlaceOutcome
    func cancel(_ id: ClientOrderID, symbol: Symbol, at time: Millis) throws(ExchangeError) -> CancelOutcome
    /// Appends every fill that happened at or before `time` and was not delivered before.
    func fills(upTo time: Millis, into buffer: inout [Fill]) throws(ExchangeError)
    /// Our orders open at the venue now for `symbols` (a venue that lists all ignores it),
    /// sorted by id. Recovery reconciles with them.
    func openOrders(symbols: [Symbol]) throws(ExchangeError) -> [VenueOrder]
}

/// The in-process fake exchange: the simulated venue, called directly.
package final class FakeExchangeClient: ExchangeClient {
    package let venue: SimVenue
    package init(venue: SimVenue) { self.venue = venue }
    package var name: String { "fake" }
    package func place(_ request: OrderRequest) throws(ExchangeError) -> PlaceOutcome { venue.place(request) }
    package func cancel(_ id: ClientOrderID, symbol: Symbol, at time: Millis) throws(ExchangeError) -> CancelOutcome {
        venue.cancel(id)
    }
    package func fills(upTo time: Millis, into buffer: inout [Fill]) throws(ExchangeError) {
        venue.advance(to: time, into: &buffer)
    }
    package func openOrders(symbols: [Symbol]) throws(ExchangeError) -> [VenueOrder] {
        venue.openOrders.map { r in
            VenueOrder(id: r.request.id, symbol: r.request.symbol, side: r.request.side, price: r.request.price,
                       quantity: r.request.quantity, filled: r.filled)
        }
    }
}

/// `--mode dryrun`: orders are planned, risk-checked and logged but never leave the process.
/// Every placement is acknowledged locally and nothing ever fills.
package final class DryRunExchangeClient: ExchangeClient {
    private var open: [ClientOrderID: OrderRequest] = [:]
    package init() {}
    package var name: String { "dryrun" }
    package func place(_ request: OrderRequest) throws(ExchangeError) -> PlaceOutcome {
        open[request.id] = request
        return .accepted
    }
    package func cancel(_ id: ClientOrderID, symbol: Symbol, at time: Millis) throws(ExchangeError) -> CancelOutcome {
        open.removeValue(forKey: id) == nil ? .notOpen : .canceled(remaining: .zero)
    }
    package func fills(upTo time: Millis, into buffer: inout [Fill]) throws(ExchangeError) {}
    package func openOrders(symbols: [Symbol]) throws(ExchangeError) -> [VenueOrder] {
        open.values.sorted { $0.id < $1.id }.map {
            VenueOrder(id: $0.id, symbol: $0.symbol, side: $0.side, price: $0.price, quantity: $0.quantity, filled: .zero)
        }
    }
}
