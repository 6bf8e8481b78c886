#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// A stop request shared between a signal handler and a loop: the loop polls `isRequested`
/// (one atomic load) and may sleep on `wait(milliseconds:)`, which a request cuts short.
package final class StopSignal: Sendable {
    private let requested = Atomic<Int32>(0)
    private let wakeup = DispatchSemaphore(value: 0)

    package init() {}

    /// The signal number that asked for the stop, or 0 for none.
    package var signalNumber: Int32 { requested.load(ordering: .acquiring) }
    package var isRequested: Bool { requested.load(ordering: .relaxed) != 0 }

    package func request(signal: Int32) {
        let (exchanged, _) = requested.compareExchange(expected: 0, desired: signal, ordering: .acquiringAndReleasing)
        if exchanged { wakeup.signal() }
    }

    /// Sleeps up to `milliseconds`; returns early (true) when a stop is requested.
    @discardableResult
    package func wait(milliseconds: Int64) -> Bool {
        if isRequested { return true }
        if milliseconds <= 0 { return false }
        let result = wakeup.wait(timeout: .now() + .milliseconds(Int(milliseconds)))
        if result == .success {
            wakeup.signal()  // keep the wake-up for any later waiter
            return true
        }
        return isRequested
    }
}

/// Routes SIGINT and SIGTERM to a `StopSignal` through dispatch sources (the default action is
/// ignored so the process is never killed mid-write), and ignores SIGPIPE.
package final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    package init(stop: StopSignal, signals: [Int32] = [SIGINT, SIGTERM]) {
        signal(SIGPIPE, SIG_IGN)
        let queue = DispatchQueue(label: "mmbot.signals")
        var made: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { stop.request(signal: number) }
            source.resume()
            made.append(source)
        }
        sources = made
    }

    package func cancel() {
        for source in sources { source.cancel() }
    }
}
