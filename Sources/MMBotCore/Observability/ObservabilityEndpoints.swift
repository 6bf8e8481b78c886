import MMBotSupport

/// The observability server's routes: `GET /health`, `GET /ready`, `GET /metrics` (HEAD too).
/// Each renders from the publisher's latest snapshot; none touches the loop.
package enum ObservabilityEndpoints {
    package static func router(publisher: SnapshotPublisher, liveEnable: Bool,
                               process: @escaping @Sendable () -> ProcessStats) -> HTTPRouter {
        var router = HTTPRouter()
        router.get("/health") { _ in .json(200, #"{"status":"ok"}"#) }
        router.get("/ready") { _ in
            let readiness = Readiness(publisher.snapshot())
            return .json(readiness.status, readiness.json)
        }
        router.get("/metrics") { _ in
            let registry = MetricsCatalogue.registry(snapshot: publisher.snapshot(), liveEnable: liveEnable, process: process())
            return HTTPServerResponse(status: 200, contentType: PrometheusText.contentType, body: PrometheusText.render(registry))
        }
        return router
    }
}
