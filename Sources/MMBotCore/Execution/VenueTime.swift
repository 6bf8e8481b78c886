import MMBotSupport

/// What a Bybit run gives the loop: each symbol's trading rules from the symbol-filter cache,
/// looked up once per iteration, and, on the network, the system clock each iteration starts at
/// (nil in-process, where the run keeps virtual time so its report is reproducible).
package struct VenueTime {
    package var now: (() -> Millis)?
    package var rules: (Symbol, Millis) -> InstrumentRules

    package init(now: (() -> Millis)?, rules: @escaping (Symbol, Millis) -> InstrumentRules) {
        self.now = now
        self.rules = rules
    }
}
