import MMBotCore
import MMBotSupport

/// exec-demo's `--obs` flags and the observability server's lifetime around a run.
extension ExecDemoCommand {
    package struct ObservabilityOptions: Sendable, Equatable {
        package var host: Socket.Host
        package var hostText: String
        package var port: UInt16
        package var lingerSeconds: Int64
    }

    package static let observabilitySpecs: [OptionSpec] = [
        OptionSpec("--obs", default: "off",
                   help: "Serve GET /health, /ready and /metrics (Prometheus) over HTTP while the run lasts."),
        OptionSpec("--obs-host", value: "HOST", default: "127.0.0.1",
                   help: "Address the observability server listens on: an IPv4/IPv6 address or localhost."),
        OptionSpec("--obs-port", value: "PORT", default: "8080",
                   help: "Port for the observability server, 0 to 65535; 0 picks a free port, named in the obs_server_listening log line."),
        OptionSpec("--obs-linger-s", value: "SECONDS", default: "0",
                   help: "After printing the report keep serving for this many seconds, 0 to 86400, or until SIGINT/SIGTERM."),
    ]

    /// nil without `--obs`; the other --obs-* flags are refused without it.
    static func parseObservability(_ o: ParsedOptions) throws(UsageError) -> ObservabilityOptions? {
        guard o.flag("--obs", default: false) else {
            for flag in ["--obs-host", "--obs-port", "--obs-linger-s"] where o.isSet(flag) {
                throw UsageError(name, "\(flag) has no effect without --obs; add --obs to serve the endpoints or drop \(flag)")
            }
            return nil
        }
        let hostText = o.string("--obs-host") ?? "127.0.0.1"
        guard let host = Socket.Host(hostText) else {
            throw UsageError(name, "--obs-host must be an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1) or localhost, got '\(hostText)'")
        }
        let port = try o.integer("--obs-port", default: 8080, range: 0...65_535)
        let linger = try o.integer("--obs-linger-s", default: 0, range: 0...86_400)
        return ObservabilityOptions(host: host, hostText: hostText, port: UInt16(port), lingerSeconds: linger)
    }

    /// The running server and what feeds it.
    final class ObservabilityRuntime {
        let server: HTTPServer
        let options: ObservabilityOptions

        init(server: HTTPServer, options: ObservabilityOptions) {
            self.server = server
            self.options = options
        }

        /// Attaches a snapshot publisher to `loop`, binds and starts the server, and logs (at any
        /// log level) the line naming the address. A bind failure is returned as one sentence.
        static func start(_ options: ObservabilityOptions, loop: ExecutionLoop, tap: ExchangeTap, telemetry: VenueTelemetry?, liveEnable: Bool,
                          processStart: Double, announce: Logger) -> Result<ObservabilityRuntime, HTTPServerError> {
            let publisher = SnapshotPublisher(loop: loop, tap: tap, telemetry: telemetry, monotonicNanos: { Platform.monotonicNanos() })
            loop.observer = publisher
            let router = ObservabilityEndpoints.router(publisher: publisher, liveEnable: liveEnable) {
                ProcessStats(startTimeSeconds: processStart, residentBytes: Platform.residentBytes())
            }
            let server: HTTPServer
            do {
                server = try HTTPServer(host: options.host, port: options.port, router: router)
            } catch {
                return .failure(error)
            }
            server.start()
            let url = "http://\(server.address)"
            announce.log(.info, name: "mm.obs", component: "obs_server", event: "obs_server_listening", [
                ("host", .string(options.hostText)), ("port", .int(Int(server.port))), ("url", .string(url)),
                ("endpoints", .array(["/health", "/ready", "/metrics"])),
            ])
            return .success(ObservabilityRuntime(server: server, options: options))
        }

        /// Keeps serving for `--obs-linger-s` seconds or until a stop signal, then stops.
        func lingerAndStop(stop: StopSignal, logger: Logger, flush: () -> Void) {
            if options.lingerSeconds > 0 && !stop.isRequested {
                logger.log(.info, name: "mm.obs", component: "obs_server", event: "obs_lingering", [
                    ("seconds", .int(options.lingerSeconds)), ("url", .string("http://\(server.address)")),
                ])
                flush()
                stop.wait(milliseconds: options.lingerSeconds * 1000)
            }
            server.stop()
        }
    }
}
