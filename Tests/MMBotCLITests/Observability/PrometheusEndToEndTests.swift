import Foundation
import Testing
import MMBotSupport

/// A real Prometheus server on loopback scrapes a paced run; its query answers equal the report.
@Suite struct PrometheusEndToEndTests {
    @Test func prometheusScrapesAPacedRunAndAgreesWithTheReport() throws {
        let prometheus = try ObsPaths.tool("prometheus", package: "prometheus")
        let dir = try ObsPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let webPort = try freeLoopbackPort()
        let botPort = try freeLoopbackPort()
        let rules = ObsPaths.root.appendingPathComponent("obs/prometheus/alerts_mm_bot.yml").path
        try """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files:
          - \(rules)
        scrape_configs:
          - job_name: mmbot
            static_configs:
              - targets: ['127.0.0.1:\(botPort)']

        """.write(to: dir.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        let server = try ObsProcess(prometheus, ["--config.file=\(dir.path)/prometheus.yml", "--storage.tsdb.path=\(dir.path)/data",
                                                 "--web.listen-address=127.0.0.1:\(webPort)", "--log.level=warn"])
        defer {
            if server.process.isRunning {
                server.signal(SIGTERM)
                server.waitExit(seconds: 10)
            }
        }
        let up = server.wait(seconds: 30) { (try? Curl.get("http://127.0.0.1:\(webPort)/-/ready"))?.status == 200 }
        try #require(up, "Prometheus did not become ready: \(server.stderr)")

        // A paced run: 100 iterations of 100 ms, so Prometheus scrapes it while it runs.
        let bot = try ObsProcess(ObsPaths.mmbot, ["exec-demo", "--shadow", "--symbols", "BTCUSDT,ETHUSDT", "--pace", "realtime",
                                                  "--tick-ms", "100", "--iterations", "100", "--obs", "--obs-port", "\(botPort)",
                                                  "--obs-linger-s", "60", "--log-level", "warning"], environment: frozenUTC)
        defer { if bot.process.isRunning { bot.signal(SIGKILL) } }
        _ = try bot.obsPort()
        let base = "http://127.0.0.1:\(webPort)/api/v1"

        // Prometheus answers with floats of any precision, so its JSON is read with Foundation.
        func api(_ path: String, form: [(String, String)] = []) -> [String: Any]? {
            guard let r = try? Curl.get(base + path, form: form), r.status == 200,
                  let json = try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any],
                  json["status"] as? String == "success" else { return nil }
            return json["data"] as? [String: Any]
        }
        func query(_ promql: String) -> [[String: Any]]? { api("/query", form: [("query", promql)])?["result"] as? [[String: Any]] }
        func scalar(_ promql: String) -> Double? {
            guard let first = query(promql)?.first, let value = first["value"] as? [Any], value.count == 2 else { return nil }
            return (value[1] as? String).flatMap(Double.init)
        }
        func loadedRules() -> [[String: Any]] {
            ((api("/rules")?["groups"] as? [[String: Any]]) ?? []).flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }
        }

        let report = try bot.report()
        let placed = try #require(report["orders"]?["placed"]?.intValue)
        let filled = try #require(report["orders"]?["filled"]?.intValue)
        // Wait until Prometheus has scraped the final values (the bot lingers meanwhile).
        let agreed = bot.wait(seconds: 30) {
            scalar("sum(mm_orders_placed_total{job=\"mmbot\"})") == Double(placed) && scalar("mm_iterations_total") == 100
                && (scalar("count_over_time(mm_iterations_total[1m])") ?? 0) >= 4
        }
        #expect(agreed, "Prometheus never saw placed=\(placed); stderr: \(server.stderr)")
        #expect(scalar("sum(mm_orders_filled_total)") == Double(filled))
        #expect(scalar("up{job=\"mmbot\"}") == 1)
        // It saw the run in progress, not only its end.
        #expect((scalar("min_over_time(mm_iterations_total[1m])") ?? 100) < 100)
        #expect(scalar("mm_frozen") == 0)
        let btc = try #require(report["orders"]?["by_symbol"]?["BTCUSDT"]?["placed"]?.intValue)
        #expect(scalar("mm_orders_placed_total{symbol=\"BTCUSDT\"}") == Double(btc))

        // The rules loaded and evaluate without error.
        #expect(loadedRules().count == 7)
        #expect(bot.wait(seconds: 10) { loadedRules().allSatisfy { $0["health"] as? String == "ok" } }, "a rule failed to evaluate: \(loadedRules())")

        // Every dashboard query runs against real data; the panels fed by the shadow engine have
        // series.
        for expr in try ObsAssetsTests.dashboardExpressions() where !expr.hasPrefix("label_values") {
            let promql = expr.replacingOccurrences(of: "$__rate_interval", with: "1m").replacingOccurrences(of: "$instance", with: ".*")
            let result = query(promql)
            #expect(result != nil, "dashboard query failed: \(promql)")
            let fed = ["mm_orders_blocked_total", "mm_frozen", "mm_live_enable", "mm_order_latency_ms_bucket", "mm_maker_taker_ratio"]
            if fed.contains(where: { promql.contains($0) }) {
                #expect(result?.isEmpty == false, "dashboard query has no data: \(promql)")
            }
        }

        bot.signal(SIGTERM)
        #expect(bot.waitExit(seconds: 10) == 0)
    }
}
