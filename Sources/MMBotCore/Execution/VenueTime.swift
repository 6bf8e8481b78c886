import MMBotSupport

/// What a venue run gives the loop instead of virtual time: the clock each iteration starts at
/// (the system clock on the network, the run clock in-process) and each symbol's trading rules
/// (the symbol-filter cache), looked up once per iteration.
package struct VenueTime {
    package var now: () -> Millis
    package var rules: (Symbol, Millis) -> InstrumentRules

    package init(now: @escaping () -> Millis, rules: @escaping (Symbol, Millis) -> InstrumentRules) {
        self.now = now
        self.rules = rules
    }
}
