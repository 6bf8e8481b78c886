import Testing
import MMBotSupport
@testable import MMBotCore

@Suite struct PrometheusTextTests {
    @Test func rendersHelpTypeSortedSamplesAndEscapes() {
        var r = MetricsRegistry()
        r.register(MetricDescriptor("b_total", .counter, labels: ["symbol", "reason"], unit: "x", help: "Back\\slash and\nnewline."))
        r.register(MetricDescriptor("a_gauge", .gauge, unit: "x", help: "A gauge."))
        r.set("b_total", ["ZZZ", "q\"uote"], .int(2))
        r.set("b_total", ["AAA", "back\\slash\nnl"], .int(1))
        r.set("a_gauge", .fixed(Fixed("-0.125")!))
        #expect(PrometheusText.render(r) == """
        # HELP a_gauge A gauge.
        # TYPE a_gauge gauge
        a_gauge -0.125
        # HELP b_total Back\\\\slash and\\nnewline.
        # TYPE b_total counter
        b_total{symbol="AAA",reason="back\\\\slash\\nnl"} 1
        b_total{symbol="ZZZ",reason="q\\"uote"} 2

        """)
    }

    @Test func histogramIsCumulativeWithInfSumAndCount() {
        var r = MetricsRegistry()
        r.register(MetricDescriptor("lat_ms", .histogram, labels: ["symbol"], unit: "ms", buckets: [1, 2.5], help: "L."))
        r.set("lat_ms", ["S"], histogram: HistogramValue(counts: [3, 1, 2], sum: 10.5))
        #expect(PrometheusText.render(r) == """
        # HELP lat_ms L.
        # TYPE lat_ms histogram
        lat_ms_bucket{symbol="S",le="1"} 3
        lat_ms_bucket{symbol="S",le="2.5"} 4
        lat_ms_bucket{symbol="S",le="+Inf"} 6
        lat_ms_sum{symbol="S"} 10.5
        lat_ms_count{symbol="S"} 6

        """)
    }

    @Test func numberFormats() {
        #expect(PrometheusText.format(42) == "42")
        #expect(PrometheusText.format(0.85) == "0.85")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(1e20) == "1e+20")
    }
}
