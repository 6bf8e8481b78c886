import Foundation
import Testing
import MMBotSupport

/// The alert rules and the dashboard against promtool and against what the binary exports.
@Suite struct ObsAssetsTests {
    static let rulesFile = ObsPaths.root.appendingPathComponent("obs/prometheus/alerts_mm_bot.yml")
    static let dashboardFile = ObsPaths.root.appendingPathComponent("obs/grafana/MMBot_Dashboard.json")

    @Test func promtoolCheckRules() throws {
        let promtool = try ObsPaths.tool("promtool", package: "prometheus")
        let r = try ObsProcess.run(promtool, ["check", "rules", Self.rulesFile.path])
        #expect(r.code == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("SUCCESS: 7 rules found"))
    }

    @Test func promtoolTestRules() throws {
        let promtool = try ObsPaths.tool("promtool", package: "prometheus")
        let dir = ObsPaths.root.appendingPathComponent("obs/prometheus/tests")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yml") }.sorted()
        #expect(!files.isEmpty)
        let r = try ObsProcess.run(promtool, ["test", "rules"] + files, directory: dir)
        #expect(r.code == 0, "\(r.stdout)\(r.stderr)")
        // Every alert in the rules file has a test.
        let tests = try files.map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }.joined()
        for alert in Self.alertNames() { #expect(tests.contains("alertname: \(alert)"), "no promtool test for \(alert)") }
    }

    @Test func rulesHaveTheRunbooksAlertsAndMore() {
        let names = Self.alertNames()
        for required in ["MMBotReconDivergence", "MMBotMakerTakerLow", "MMBotNetBpsNegative", "MMBotFiltersFallback",
                         "MMBotLiveEnableArmed", "MMBotFrozenTooLong", "MMBotOrderLatencyP99High"] {
            #expect(names.contains(required), "missing alert \(required)")
        }
    }

    @Test func dashboardIsImportableWithTenPanelsAndADatasourceVariable() throws {
        let dashboard = try JSONParser.parse(bytes: Array(try Data(contentsOf: Self.dashboardFile)))
        let panels = try #require(dashboard["panels"]?.arrayValue)
        #expect(panels.count == 10)
        let variables = try #require(dashboard["templating"]?["list"]?.arrayValue)
        #expect(variables.contains { $0["type"]?.stringValue == "datasource" && $0["query"]?.stringValue == "prometheus" && $0["name"]?.stringValue == "datasource" })
        var ids: Set<Int64> = []
        for panel in panels {
            #expect(panel["title"]?.stringValue?.isEmpty == false)
            #expect(panel["datasource"]?["uid"]?.stringValue == "${datasource}")
            #expect(panel["gridPos"]?["w"]?.intValue != nil)
            if let id = panel["id"]?.intValue { ids.insert(id) }
            let targets = try #require(panel["targets"]?.arrayValue)
            #expect(!targets.isEmpty)
            for target in targets {
                #expect(target["datasource"]?["uid"]?.stringValue == "${datasource}")
                #expect(target["expr"]?.stringValue?.isEmpty == false)
            }
        }
        #expect(ids.count == 10, "panel ids are unique")
    }

    /// Every metric and label the rules and the dashboard name is in a real scrape of the binary
    /// (with the label values that selectors ask for).
    @Test func everyMetricAndLabelUsedIsExported() throws {
        let p = try ObsProcess(ObsPaths.mmbot, ["exec-demo", "--shadow", "--obs", "--obs-port", "0", "--obs-linger-s", "60",
                                                "--iterations", "30", "--log-level", "warning"], environment: frozenUTC)
        let port = try p.obsPort()
        _ = try p.report()
        let scrape = Scrape(try Curl.get("http://127.0.0.1:\(port)/metrics").body)
        p.signal(SIGTERM)
        p.waitExit(seconds: 10)

        var expressions: [(source: String, expr: String)] = Self.ruleExpressions().map { ("alerts_mm_bot.yml", $0) }
        expressions += try Self.dashboardExpressions().map { ("MMBot_Dashboard.json", $0) }
        #expect(expressions.count >= 17)
        let targetLabels: Set<String> = ["job", "instance"]
        var named: Set<String> = []
        for (source, expr) in expressions {
            let usage = PromQLUsage(expr)
            #expect(!usage.metrics.isEmpty, "\(source): no metric in '\(expr)'")
            for metric in usage.metrics {
                named.insert(metric)
                if metric == "up" { continue }
                #expect(scrape.labels[metric] != nil, "\(source): '\(metric)' is not exported (in '\(expr)')")
            }
            for (metric, label, value) in usage.matchers {
                if targetLabels.contains(label) { continue }
                let exported = scrape.labels[metric]?[label]
                #expect(exported != nil, "\(source): \(metric) has no label '\(label)' (in '\(expr)')")
                if let value { #expect(exported?.contains(value) == true, "\(source): \(metric){\(label)=\"\(value)\"} is never exported") }
            }
            let available = usage.metrics.reduce(into: targetLabels) { set, metric in set.formUnion(scrape.labels[metric].map { Set($0.keys) } ?? []) }
            for label in usage.groupingLabels {
                #expect(available.contains(label), "\(source): grouping label '\(label)' is on none of \(usage.metrics.sorted()) (in '\(expr)')")
            }
        }
        for label in Self.annotationLabels() {
            #expect(label == "instance" || label == "job" || scrape.labels.values.contains { $0[label] != nil },
                    "an annotation uses $labels.\(label), which no metric has")
        }
        #expect(named.contains("mm_live_enable") && named.contains("mm_order_latency_ms_bucket"))
    }

    // MARK: Reading the assets

    static func alertNames() -> [String] {
        ((try? String(contentsOf: rulesFile, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("- alert: ") ? String(t.dropFirst(9)) : nil
        }
    }

    /// Each `expr:`, inline or as a `|` block.
    static func ruleExpressions() -> [String] {
        let lines = ((try? String(contentsOf: rulesFile, encoding: .utf8)) ?? "").components(separatedBy: "\n")
        var out: [String] = []
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if let range = line.range(of: "expr: ") {
                let rest = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
                if rest == "|" || rest == ">" {
                    let indent = line.prefix { $0 == " " }.count
                    var block: [String] = []
                    i += 1
                    while i < lines.count, lines[i].prefix(while: { $0 == " " }).count > indent || lines[i].trimmingCharacters(in: .whitespaces).isEmpty {
                        if lines[i].trimmingCharacters(in: .whitespaces).isEmpty { break }
                        block.append(lines[i].trimmingCharacters(in: .whitespaces))
                        i += 1
                    }
                    out.append(block.joined(separator: " "))
                    continue
                }
                out.append(rest)
            }
            i += 1
        }
        return out
    }

    static func annotationLabels() -> Set<String> {
        let text = (try? String(contentsOf: rulesFile, encoding: .utf8)) ?? ""
        var out: Set<String> = []
        var rest = Substring(text)
        while let r = rest.range(of: "$labels.") {
            out.insert(String(rest[r.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }))
            rest = rest[r.upperBound...]
        }
        return out
    }

    static func dashboardExpressions() throws -> [String] {
        let dashboard = try JSONParser.parse(bytes: Array(try Data(contentsOf: dashboardFile)))
        var out: [String] = []
        for panel in dashboard["panels"]?.arrayValue ?? [] {
            for target in panel["targets"]?.arrayValue ?? [] { if let e = target["expr"]?.stringValue { out.append(e) } }
        }
        for variable in dashboard["templating"]?["list"]?.arrayValue ?? [] {
            if let q = variable["query"]?["query"]?.stringValue { out.append(q) }
        }
        return out
    }
}

/// The metric names, label matchers and grouping labels a PromQL expression (or a Grafana
/// `label_values(metric, label)` query) uses. Metric names are ours (`mm_`, `process_`) or `up`.
struct PromQLUsage {
    var metrics: Set<String> = []
    var matchers: [(metric: String, label: String, value: String?)] = []
    var groupingLabels: Set<String> = []

    init(_ expr: String) {
        let chars = Array(expr)
        var i = 0
        func identifier(at start: Int) -> (String, Int) {
            var j = start
            while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == ":" { j += 1 }
            return (String(chars[start..<j]), j)
        }
        func skipSpaces(_ j: inout Int) { while j < chars.count, chars[j] == " " { j += 1 } }
        var lastWord = ""
        while i < chars.count {
            let c = chars[i]
            if c == "\"" {  // a string literal outside a selector
                i += 1
                while i < chars.count, chars[i] != "\"" { i += chars[i] == "\\" ? 2 : 1 }
                i += 1
                continue
            }
            if c == "$" {  // a Grafana variable
                i += 1
                while i < chars.count, chars[i].isLetter || chars[i] == "_" { i += 1 }
                continue
            }
            guard c.isLetter || c == "_" else {
                if c == "(", ["by", "without", "on", "ignoring", "group_left", "group_right"].contains(lastWord) {
                    var j = i + 1
                    while j < chars.count, chars[j] != ")" {
                        skipSpaces(&j)
                        let (label, next) = identifier(at: j)
                        if !label.isEmpty { groupingLabels.insert(label) }
                        j = max(next, j + 1)
                    }
                    i = j + 1
                    lastWord = ""
                    continue
                }
                i += 1
                continue
            }
            let (word, next) = identifier(at: i)
            i = next
            lastWord = word
            if word == "label_values" {  // label_values(metric, label)
                var j = i + 1
                skipSpaces(&j)
                let (metric, afterMetric) = identifier(at: j)
                j = afterMetric
                while j < chars.count, chars[j] == "," || chars[j] == " " { j += 1 }
                let (label, afterLabel) = identifier(at: j)
                metrics.insert(metric)
                matchers.append((metric, label, nil))
                i = afterLabel
                continue
            }
            guard word.hasPrefix("mm_") || word.hasPrefix("process_") || word == "up" else { continue }
            metrics.insert(word)
            var j = i
            skipSpaces(&j)
            guard j < chars.count, chars[j] == "{" else { continue }
            j += 1
            while j < chars.count, chars[j] != "}" {
                skipSpaces(&j)
                let (label, afterLabel) = identifier(at: j)
                j = afterLabel
                skipSpaces(&j)
                var op = ""
                while j < chars.count, "=!~".contains(chars[j]) { op.append(chars[j]); j += 1 }
                skipSpaces(&j)
                guard j < chars.count, chars[j] == "\"" else { break }
                j += 1
                var value = ""
                while j < chars.count, chars[j] != "\"" { value.append(chars[j]); j += 1 }
                j += 1
                if !label.isEmpty { matchers.append((word, label, op == "=" && !value.contains("$") ? value : nil)) }
                skipSpaces(&j)
                if j < chars.count, chars[j] == "," { j += 1 }
            }
            i = j + 1
        }
    }
}
