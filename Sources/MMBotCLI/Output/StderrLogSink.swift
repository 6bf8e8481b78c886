import MMBotCore
import MMBotSupport

/// Log lines to stderr, buffered in 64 KiB chunks so that a verbose virtual-time run is not one
/// write(2) per line. `flush()` runs after every realtime tick and at exit.
package final class StderrLogSink: LogSink {
    private var buffer: [UInt8] = []
    private let limit = 64 * 1024

    package init() { buffer.reserveCapacity(limit + 1024) }

    package func write(line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= limit { flush() }
    }

    package func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { _ = Platform.writeAll(2, $0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
