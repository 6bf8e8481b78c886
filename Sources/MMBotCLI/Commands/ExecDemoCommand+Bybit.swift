import Foundation
import MMBotCore
import MMBotSupport

/// exec-demo's Bybit flags: the venue, the network mode and its kill switch, credentials and
/// the symbol-filter cache.
extension ExecDemoCommand {
    package struct VenueOptions: Sendable {
        package var network: NetworkMode
        /// Network modes: --api-base-url, else BYBIT_BASE_URL, else the mode's Bybit host.
        package var baseURL: String
        package var apiEnv: DeploymentEnv
        package var filtersTTLs: Int64
        package var warmupFilters: Bool
        package var httpTimeoutMs: Int64
    }

    package static let venueSpecs: [OptionSpec] = [
        OptionSpec("--network", default: "off", negation: "--no-network",
                   help: "Talk to a real venue over HTTP (needs --exchange bybit, implied); --no-network, the default, opens no socket."),
        OptionSpec("--testnet", help: "With --network: Bybit testnet (https://api-testnet.bybit.com unless --api-base-url or BYBIT_BASE_URL)."),
        OptionSpec("--live", help: "Bybit mainnet with real money; also needs MM_LIVE_ENABLE=1 (dual consent), else exit 3."),
        OptionSpec("--api-base-url", value: "URL", default: "$BYBIT_BASE_URL, else the Bybit host of the mode",
                   help: "With --network or --live: the venue's base URL, e.g. http://127.0.0.1:9100 for 'mmbot exchange-sim'."),
        OptionSpec("--api-env", value: "ENV", default: "$MM_ENV, else dev",
                   help: "--exchange bybit: whose credentials to load (dev, shadow, soak or prod) from $SECRETS_BACKEND (memory: BYBIT_API_KEY/BYBIT_API_SECRET)."),
        OptionSpec("--filters-ttl-s", value: "SECONDS", default: "600",
                   help: "--exchange bybit: how long fetched symbol filters (tick, step, minimums) are reused, 1 to 86400."),
        OptionSpec("--warmup-filters", default: "on with --network/--live, else off", negation: "--no-warmup-filters",
                   help: "--exchange bybit: fetch every symbol's filters before the first order; report execution.warmup_filters."),
        OptionSpec("--http-timeout-ms", value: "MS", default: "5000",
                   help: "With --network or --live: how long one request may take before its outcome counts as unknown, 1 to 600000."),
    ]

    private static let bybitOnly = ["--api-base-url", "--api-env", "--filters-ttl-s", "--warmup-filters", "--http-timeout-ms"]

    /// The venue for `exchangeText` and the flags; nil for `--exchange fake`.
    static func parseVenue(_ o: ParsedOptions, exchangeText: String?, environment: [String: String]) throws(UsageError) -> VenueOptions? {
        let network = o.flag("--network", default: false)
        let testnet = o.flag("--testnet", default: false)
        let live = o.flag("--live", default: false)
        if live && testnet {
            throw UsageError(name, "--live and --testnet contradict each other (--live trades real money on mainnet, --testnet rehearses on testnet); pick one")
        }
        if live && o.isSet("--network") && !network {
            throw UsageError(name, "--live contradicts --no-network: live trading talks to Bybit mainnet; drop --no-network")
        }
        if testnet && !network {
            throw UsageError(name, "--testnet selects the venue for --network; add --network, or drop --testnet for an in-process run")
        }
        let mode: NetworkMode = live || (network && !testnet) ? .live : (network ? .testnet : .off)
        let exchange: String
        if let exchangeText {
            exchange = exchangeText.lowercased()
            guard exchange == "fake" || exchange == "bybit" else {
                throw UsageError(name, "--exchange must be fake (the in-process simulated venue) or bybit (the Bybit v5 client), got '\(exchangeText)'")
            }
        } else {
            exchange = mode == .off ? "fake" : "bybit"
        }
        guard exchange == "bybit" else {
            if mode != .off {
                throw UsageError(name, "--exchange fake is the in-process simulated venue and cannot use \(live ? "--live" : "--network"); use --exchange bybit")
            }
            for flag in bybitOnly where o.isSet(flag) {
                throw UsageError(name, "\(flag) applies to --exchange bybit only; add --exchange bybit or drop \(flag)")
            }
            return nil
        }
        var baseURL = BybitRunOptions.inProcessURL
        if mode == .off {
            for flag in ["--api-base-url", "--http-timeout-ms"] where o.isSet(flag) {
                throw UsageError(name, "\(flag) has no effect without --network: --exchange bybit --no-network talks to the in-process venue; add --network --testnet or drop \(flag)")
            }
        } else {
            let text = o.string("--api-base-url") ?? environment["BYBIT_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? mode.defaultBaseURL!
            let origin = o.isSet("--api-base-url") ? "--api-base-url" : (environment["BYBIT_BASE_URL"]?.isEmpty == false ? "BYBIT_BASE_URL" : "the default")
            guard let valid = validBaseURL(text) else {
                throw UsageError(name, "\(origin) must be an http:// or https:// URL with a host and no path, e.g. https://api-testnet.bybit.com, got '\(text)'")
            }
            baseURL = valid
        }
        let apiEnv: DeploymentEnv
        if let text = o.string("--api-env") {
            guard let env = DeploymentEnv(rawValue: text.lowercased()) else {
                throw UsageError(name, "--api-env must be one of dev|shadow|soak|prod, got '\(text)'")
            }
            apiEnv = env
        } else {
            do { apiEnv = try SecretProvider.defaultEnv(environment: environment) } catch { throw UsageError(name, error.message) }
        }
        if let backend = environment[SecretBackend.environmentVariable], !backend.isEmpty, SecretBackend(rawValue: backend.lowercased()) == nil {
            throw UsageError(name, "\(SecretBackend.environmentVariable) must be one of memory|file|aws, got '\(backend)'")
        }
        let ttl = try o.integer("--filters-ttl-s", default: 600, range: 1...86_400)
        let timeout = try o.integer("--http-timeout-ms", default: 5_000, range: 1...600_000)
        let warmup = o.flag("--warmup-filters", default: mode != .off)
        return VenueOptions(network: mode, baseURL: baseURL, apiEnv: apiEnv, filtersTTLs: ttl, warmupFilters: warmup, httpTimeoutMs: timeout)
    }

    /// `scheme://host[:port]` with any trailing slashes removed, or nil.
    static func validBaseURL(_ text: String) -> String? {
        var url = text
        while url.hasSuffix("/") { url.removeLast() }
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = parsed.host, !host.isEmpty, parsed.path.isEmpty, parsed.query == nil, !url.contains("@")
        else { return nil }
        return url
    }

    /// Loads the credentials, builds the Bybit venue side and its loop. A failure is one sentence.
    static func makeBybitRun(_ options: Options, venue: VenueOptions, clock: RunClock, logger: Logger, pacer: any Pacer, stop: StopSignal,
                             tap: ExchangeTap?) -> Result<BybitRun, BybitStartError> {
        let environment = ProcessInfo.processInfo.environment
        let credentials: ExchangeCredentials
        do {
            let provider = try SecretProvider(backend: nil, runtime: SecretsCommand.liveRuntime(environment: environment))
            credentials = try provider.credentials(env: venue.apiEnv, exchange: .bybit)
        } catch {
            return .failure(BybitStartError(message: "--exchange bybit needs Bybit API credentials for --api-env \(venue.apiEnv.rawValue) (backend from SECRETS_BACKEND, else memory): \(error.message)"))
        }
        let runOptions = BybitRunOptions(network: venue.network, baseURL: venue.baseURL, credentials: credentials,
                                         filtersTTLms: venue.filtersTTLs * 1000, warmupFilters: venue.warmupFilters,
                                         httpTimeoutMs: venue.httpTimeoutMs)
        do {
            let run = try BybitRun(config: options.engine, options: runOptions, clock: clock, logger: logger, pacer: pacer, stop: stop,
                                   http: HTTPClient(timeoutSeconds: Double(venue.httpTimeoutMs) / 1000),
                                   wallClock: { Platform.wallClockMillis() },
                                   sleep: { Thread.sleep(forTimeInterval: Double($0) / 1000) }, tap: tap)
            return .success(run)
        } catch {
            return .failure(BybitStartError(message: "could not start against \(venue.network == .off ? "the in-process venue" : venue.baseURL): \(error.message)"))
        }
    }

    package struct BybitStartError: Error, Sendable {
        package let message: String
    }
}
