import MMBotSupport

/// `/ready`: the bot may trade when the venue answers, risk is not frozen and the order store
/// is reachable. 200 with status ok, else 503 with status fail; the checks say which failed.
package struct Readiness: Sendable, Equatable {
    package var exchange: Bool
    package var risk: Bool
    package var state: Bool

    package init(exchange: Bool, risk: Bool, state: Bool) {
        self.exchange = exchange
        self.risk = risk
        self.state = state
    }

    package init(_ snapshot: EngineSnapshot) {
        self.init(exchange: snapshot.exchangeHealthy, risk: !snapshot.frozen, state: snapshot.stateHealthy)
    }

    package var isReady: Bool { exchange && risk && state }
    package var status: Int { isReady ? 200 : 503 }

    /// `{"checks":{"exchange":true,"risk":true,"state":true},"status":"ok"}` (keys sorted).
    package var json: String {
        JSONWriter.string([
            "checks": ["exchange": .bool(exchange), "risk": .bool(risk), "state": .bool(state)],
            "status": .string(isReady ? "ok" : "fail"),
        ])
    }
}
