import Foundation
import Testing
import MMBotSupport
@testable import MMBotCore

@Suite struct MetricsCatalogueTests {
    static let issueCatalogue = [
        "mm_orders_placed_total", "mm_orders_filled_total", "mm_orders_rejected_total", "mm_orders_canceled_total",
        "mm_orders_blocked_total", "mm_order_latency_ms", "mm_orders_placed_timestamp_seconds", "mm_edge_bps", "mm_frozen",
        "mm_freeze_events_total", "mm_position_qty", "mm_position_notional_usd", "mm_total_notional_usd", "mm_live_enable",
        "process_start_time_seconds", "process_resident_memory_bytes", "mm_recon_divergence_total", "mm_maker_taker_ratio",
        "mm_net_bps", "mm_symbol_filters_source_total", "mm_symbol_filters_fetch_errors_total", "mm_idempotency_hits_total",
        "mm_rate_limit_remaining",
    ]

    @Test func everyFamilyOfTheIssueIsInTheScrapeBeforeTheFirstIteration() {
        let run = ObservedRun()
        let text = run.metrics()
        for name in Self.issueCatalogue {
            #expect(text.contains("# HELP \(name) "), "\(name) has no HELP line")
            #expect(text.contains("# TYPE \(name) "), "\(name) has no TYPE line")
        }
        let values = sampleValues(text)
        #expect(values[#"mm_orders_placed_total{symbol="BTCUSDT"}"#] == "0")
        #expect(values[#"mm_orders_rejected_total{symbol="ETHUSDT",reason="post_only_would_take"}"#] == "0")
        #expect(values[#"mm_recon_divergence_total{type="orders_remote_only"}"#] == "0")
        #expect(values[#"mm_symbol_filters_source_total{source="default_fallback"}"#] == "0")
        #expect(values[#"mm_order_latency_ms_bucket{symbol="BTCUSDT",le="+Inf"}"#] == "0")
        #expect(values["process_start_time_seconds"] == "1735689600.5")
        #expect(values["process_resident_memory_bytes"] == "12345678")
        #expect(values["mm_live_enable"] == "0")
        #expect(sampleValues(run.metrics(liveEnable: true))["mm_live_enable"] == "1")
    }

    @Test func latencyBucketsAreTheIssuesOnes() {
        #expect(MetricsCatalogue.latencyBuckets == [1, 5, 10, 25, 50, 100, 250, 500, 1000])
    }

    @Test func docsDescribeEveryMetricAndSayWhichAreNotProducedYet() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let docs = try String(contentsOf: root.appendingPathComponent("docs/observability.md"), encoding: .utf8)
        for d in MetricsCatalogue.descriptors {
            let row = docs.split(separator: "\n").first { $0.hasPrefix("| `\(d.name)` ") }
            #expect(row != nil, "docs/observability.md has no table row for \(d.name)")
            guard let row else { continue }
            #expect(row.contains("| \(d.type.rawValue) |"), "\(d.name): docs give another type")
            let labels = d.labelNames.isEmpty ? "—" : d.labelNames.map { "`\($0)`" }.joined(separator: ", ")
            #expect(row.contains("| \(labels) |"), "\(d.name): docs give other labels than \(labels)")
            #expect(row.contains("not produced yet") == (MetricsCatalogue.notProducedYet[d.name] != nil),
                    "\(d.name): docs and the catalogue disagree on whether it is produced")
        }
    }
}

@Suite struct VenueAndStateMetricsTests {
    @Test func fakeVenueRunsShowNoBudgetAndNoFilterLookups() throws {
        let run = ObservedRun(iterations: 5)
        try run.loop.run()
        let values = sampleValues(run.metrics())
        #expect(values["mm_rate_limit_remaining"] == "-1")
        #expect(values["mm_symbol_filters_source_total{source=\"fetched\"}"] == "0")
        #expect(values["mm_idempotency_hits_total"] == "0")
    }

    @Test func bybitTelemetryAndIdempotencyHitsReachTheScrape() throws {
        let run = ObservedRun(iterations: 5)
        try run.loop.run()
        var snapshot = run.publisher.snapshot()
        let telemetry = VenueTelemetry()
        for _ in 0..<3 { telemetry.record(filterSource: .fetched) }
        telemetry.record(filterSource: .cached)
        telemetry.record(filterSource: .defaultFallback)
        telemetry.recordFilterFetchError()
        telemetry.record(rateLimit: BybitRateLimit(limit: 10, remaining: 7, resetAt: 0))
        snapshot.venue = telemetry.snapshot
        snapshot.idempotencyHits = 4
        snapshot.stateHealthy = false
        let values = sampleValues(PrometheusText.render(MetricsCatalogue.registry(snapshot: snapshot, liveEnable: false, process: ObservedRun.process)))
        #expect(values["mm_symbol_filters_source_total{source=\"fetched\"}"] == "3")
        #expect(values["mm_symbol_filters_source_total{source=\"cached\"}"] == "1")
        #expect(values["mm_symbol_filters_source_total{source=\"default_fallback\"}"] == "1")
        #expect(values["mm_symbol_filters_source_total{source=\"stale\"}"] == "0")
        #expect(values["mm_symbol_filters_fetch_errors_total"] == "1")
        #expect(values["mm_rate_limit_remaining"] == "7")
        #expect(values["mm_idempotency_hits_total"] == "4")
        #expect(Readiness(snapshot).state == false)
    }
}
