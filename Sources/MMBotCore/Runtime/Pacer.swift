import MMBotSupport

/// Decides when iteration `i` may start. Virtual pacing never waits; realtime pacing sleeps
/// until `i × tickMs` after the run began on the monotonic clock. Either returns true when a
/// stop was requested meanwhile.
package protocol Pacer: AnyObject {
    func waitForIteration(_ index: Int) -> Bool
}

package final class VirtualPacer: Pacer {
    private let stop: StopSignal
    package init(stop: StopSignal) { self.stop = stop }
    package func waitForIteration(_ index: Int) -> Bool { stop.isRequested }
}

package final class RealtimePacer: Pacer {
    private let stop: StopSignal
    private let tickNanos: UInt64
    private var origin: UInt64?
    /// Called after each wait, e.g. to flush logs so a watcher sees them live.
    private let onTick: () -> Void

    package init(stop: StopSignal, tickMs: Int64, onTick: @escaping () -> Void = {}) {
        self.stop = stop
        self.tickNanos = UInt64(tickMs) * 1_000_000
        self.onTick = onTick
    }

    package func waitForIteration(_ index: Int) -> Bool {
        onTick()
        let start = origin ?? Platform.monotonicNanos()
        origin = start
        let due = start + UInt64(index) * tickNanos
        let now = Platform.monotonicNanos()
        if due > now {
            return stop.wait(milliseconds: Int64((due - now + 999_999) / 1_000_000))
        }
        return stop.isRequested
    }
}
