import MMBotSupport
import Synchronization

/// Hands the loop's state to the HTTP threads without ever locking per order event: the loop
/// copies its counters into an `EngineSnapshot` and swaps it in under a mutex — after every
/// iteration in realtime pace, at most once per `minIntervalNanos` of wall-clock time in
/// virtual pace (checked every 64 iterations), and always at the end. Scrapes render from the
/// latest snapshot.
package final class SnapshotPublisher: ExecutionObserver, Sendable {
    private let latest: Mutex<EngineSnapshot>
    private let published = Atomic<Int>(0)
    /// Read only on the loop's thread (in `publish`), never by the HTTP threads.
    private nonisolated(unsafe) let tap: ExchangeTap?
    private let telemetry: VenueTelemetry?
    private let everyIteration: Bool
    private let minIntervalNanos: UInt64
    private let monotonicNanos: @Sendable () -> UInt64
    private let lastPublish = Atomic<UInt64>(0)

    /// Publishes the loop's current state at once, so the endpoints have something to serve
    /// before the first iteration.
    package init(loop: ExecutionLoop, tap: ExchangeTap?, telemetry: VenueTelemetry? = nil,
                 monotonicNanos: @escaping @Sendable () -> UInt64, minIntervalNanos: UInt64 = 10_000_000) {
        self.tap = tap
        self.telemetry = telemetry
        everyIteration = loop.config.pace == .realtime
        self.minIntervalNanos = minIntervalNanos
        self.monotonicNanos = monotonicNanos
        latest = Mutex(EngineSnapshot(loop: loop, tap: tap, telemetry: telemetry, finished: false))
        lastPublish.store(monotonicNanos(), ordering: .relaxed)
    }

    /// The most recent snapshot.
    package func snapshot() -> EngineSnapshot { latest.withLock { $0 } }

    /// How many snapshots were published after the initial one.
    package var publishCount: Int { published.load(ordering: .relaxed) }

    package func loopDidIterate(_ loop: ExecutionLoop) {
        if !everyIteration {
            guard loop.iterationsCompleted & 63 == 0 else { return }
            let now = monotonicNanos()
            guard now &- lastPublish.load(ordering: .relaxed) >= minIntervalNanos else { return }
        }
        publish(loop, finished: false)
    }

    package func loopDidFinish(_ loop: ExecutionLoop) { publish(loop, finished: true) }

    package func publish(_ loop: ExecutionLoop, finished: Bool) {
        let next = EngineSnapshot(loop: loop, tap: tap, telemetry: telemetry, finished: finished)
        latest.withLock { $0 = next }
        lastPublish.store(monotonicNanos(), ordering: .relaxed)
        published.add(1, ordering: .relaxed)
    }
}
