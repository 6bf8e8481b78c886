import MMBotSupport

/// Wires a shadow run: the synthetic market, the simulated venue behind the fake exchange (or
/// the dry-run client), and the execution loop over them.
package enum ShadowRun {
    /// With a `tap`, the exchange client reports placement latency and venue health to it (the
    /// observability snapshot reads them).
    package static func makeLoop(config: EngineConfig, clock: RunClock, logger: Logger, pacer: any Pacer, stop: StopSignal,
                                 tap: ExchangeTap? = nil) -> ExecutionLoop {
        let market = SyntheticMarket(symbols: config.symbols, seed: config.seed)
        let exchange: any ExchangeClient
        switch config.mode {
        case .shadow:
            exchange = FakeExchangeClient(venue: SimVenue(config: config.venue, market: market, seed: config.seed, logger: logger))
        case .dryrun:
            exchange = DryRunExchangeClient()
        }
        let client: any ExchangeClient = tap.map { TappedExchangeClient(exchange, tap: $0) } ?? exchange
        return ExecutionLoop(config: config, market: market, exchange: client, clock: clock, logger: logger, pacer: pacer, stop: stop)
    }
}
