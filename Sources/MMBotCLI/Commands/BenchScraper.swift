import Dispatch
import Foundation
import MMBotSupport
import Synchronization

/// `mmbot bench --obs`: a scraper thread that GETs /metrics at a fixed rate over one kept-alive
/// loopback connection, as Prometheus does, and records how long each scrape took.
final class BenchScraper: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let latencies = Mutex<[UInt64]>([])
    private let failures = Atomic<Int>(0)
    private let done = DispatchSemaphore(value: 0)

    init(port: UInt16, hz: Int) {
        let interval = UInt64(1_000_000_000 / hz)
        Thread { [self] in
            defer { done.signal() }
            guard let client = try? HTTPWireClient(port: port) else {
                failures.add(1, ordering: .relaxed)
                return
            }
            var next = Platform.monotonicNanos()
            while !stopping.load(ordering: .relaxed) {
                let begin = Platform.monotonicNanos()
                if let response = try? client.request("GET", "/metrics"), response.status == 200 {
                    let took = Platform.monotonicNanos() - begin
                    latencies.withLock { $0.append(took) }
                } else {
                    failures.add(1, ordering: .relaxed)
                }
                next += interval
                let now = Platform.monotonicNanos()
                if next > now { Platform.sleepMillis(Int((next - now) / 1_000_000)) } else { next = now }
            }
        }.start()
    }

    /// Stops the thread and returns every scrape's latency in nanoseconds and the failures.
    func finish() -> (latencies: [UInt64], failures: Int) {
        stopping.store(true, ordering: .relaxed)
        done.wait()
        return (latencies.withLock { $0 }, failures.load(ordering: .relaxed))
    }
}
