/// Where orders go: nowhere beyond this process, Bybit testnet (or a compatible venue such as
/// `mmbot exchange-sim`), or Bybit mainnet with real money.
package enum NetworkMode: String, Sendable, CaseIterable {
    /// `--no-network` (the default): no socket is opened.
    case off
    case testnet
    case live

    package static let testnetURL = "https://api-testnet.bybit.com"
    package static let mainnetURL = "https://api.bybit.com"

    package var defaultBaseURL: String? {
        switch self {
        case .off: return nil
        case .testnet: return NetworkMode.testnetURL
        case .live: return NetworkMode.mainnetURL
        }
    }
}

/// Live trading needs dual consent: the `--live` flag (or `--network` without `--testnet`) and
/// `MM_LIVE_ENABLE=1` in the environment, exactly. Anything else refuses the run before a single
/// request is made (exit 3).
package enum KillSwitch {
    package static let variable = "MM_LIVE_ENABLE"

    /// The operator's second consent: MM_LIVE_ENABLE is exactly "1".
    package static func isArmed(environment: [String: String]) -> Bool { environment[variable] == "1" }

    /// Nil when the run may start; otherwise the refusal to print.
    package static func refusal(mode: NetworkMode, environment: [String: String]) -> LiveModeRefused? {
        guard mode == .live, !isArmed(environment: environment) else { return nil }
        return LiveModeRefused(value: environment[variable])
    }
}

/// The refusal of an unarmed live start, in the runbook's words.
package struct LiveModeRefused: Error, Sendable, Equatable, CustomStringConvertible {
    /// What MM_LIVE_ENABLE held (nil when unset).
    package let value: String?

    package var description: String {
        let seen = value.map { "MM_LIVE_ENABLE is '\($0)', not '1'" } ?? "MM_LIVE_ENABLE is not set"
        return "Attempted to enable live mode without dual consent: --live (or --network without --testnet) trades real money on Bybit mainnet and also needs MM_LIVE_ENABLE=1 in the environment, and \(seen). No request was sent. To arm it, complete the kill-switch checklist (docs/runbook-bybit.md) and run 'export MM_LIVE_ENABLE=1'; to rehearse instead, use --network --testnet."
    }
}
