import MMBotSupport

/// A failure talking to a venue (never a refusal of an order, which is a `PlaceOutcome`).
package struct ExchangeError: Error, Sendable, CustomStringConvertible, Equatable {
    package let message: String
    package init(_ message: String) { self.message = message }
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
}

/// `--mode dryrun`: orders are planned, risk-checked and logged but never leave the process.
/// Every placement is acknowledged locally and nothing ever fills.
package final class DryRunExchangeClient: ExchangeClient {
    private var open: Set<ClientOrderID> = []
    package init() {}
    package var name: String { "dryrun" }
    package func place(_ request: OrderRequest) throws(ExchangeError) -> PlaceOutcome {
        open.insert(request.id)
        return .accepted
    }
    package func cancel(_ id: ClientOrderID, symbol: Symbol, at time: Millis) throws(ExchangeError) -> CancelOutcome {
        open.remove(id) == nil ? .notOpen : .canceled(remaining: .zero)
    }
    package func fills(upTo time: Millis, into buffer: inout [Fill]) throws(ExchangeError) {}
}
