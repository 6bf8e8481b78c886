import MMBotSupport

/// Wires a shadow run: the synthetic market, the simulated venue behind the fake exchange (or
/// the dry-run client), and the execution loop over them. With `durable`, the venue continues
/// from the state directory and is persisted there after each of the loop's commits.
package enum ShadowRun {
    /// With a `tap`, the exchange client reports placement latency and venue health to it (the
    /// observability snapshot reads them).
    package static func makeLoop(config: EngineConfig, clock: RunClock, logger: Logger, pacer: any Pacer, stop: StopSignal,
                                 tap: ExchangeTap? = nil, durable: DurableSetup? = nil) -> ExecutionLoop {
        let market = SyntheticMarket(symbols: config.symbols, seed: config.seed)
        let exchange: any ExchangeClient
        switch config.mode {
        case .shadow:
            let venue = SimVenue(config: config.venue, market: market, seed: config.seed, logger: logger)
            if let durable, durable.persistsVenue {
                if let saved = durable.venue { venue.restore(saved) }
                let store = VenueStore(directory: durable.options.directory, lastLSN: durable.venue?.lsn ?? 0)
                store.venue = venue
                venue.journal = store
                durable.state.add(follower: store)
            }
            exchange = FakeExchangeClient(venue: venue)
        case .dryrun:
            exchange = DryRunExchangeClient()
        }
        let client: any ExchangeClient = tap.map { TappedExchangeClient(exchange, tap: $0) } ?? exchange
        return ExecutionLoop(config: config, market: market, exchange: client, clock: clock, logger: logger, pacer: pacer, stop: stop,
                             durableState: durable?.state)
    }
}
