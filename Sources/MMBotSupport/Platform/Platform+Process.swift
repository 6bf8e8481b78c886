#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Platform {
    /// CPU time the calling thread has used, in nanoseconds (benchmarks: unlike wall time it does
    /// not count the time the thread waited for a core on a busy machine).
    package static func threadCPUNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Sleeps the calling thread (tests and the bench's scraper; never the trading loop, which
    /// waits on its `StopSignal`).
    package static func sleepMillis(_ ms: Int) {
        var request = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// This process's resident set size now, in bytes (from /proc/self/statm; 0 if unreadable).
    package static func residentBytes() -> Int64 {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 128)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, 127) }
        guard n > 0 else { return 0 }
        // "size resident shared text lib data dt", in pages.
        let fields = bytes[..<n].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int64(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// When this process started, in Unix seconds: boot time (/proc/stat btime) plus the start
    /// tick in /proc/self/stat, as Prometheus client libraries compute it. Falls back to now.
    package static func processStartSeconds() -> Double {
        let now = Double(wallClockMillis()) / 1000
        guard let stat = readSmallFile("/proc/self/stat"), let boot = readSmallFile("/proc/stat") else { return now }
        // Fields after the command name (which may contain spaces) start at the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return now }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); starttime is field 22.
        guard fields.count > 19, let ticks = Double(fields[19]) else { return now }
        guard let line = boot.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
              let btime = Double(line.dropFirst(6).trimmingPrefixSpaces()) else { return now }
        return btime + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[..<n])
            if out.count > 1 << 20 { break }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

private extension Substring {
    func trimmingPrefixSpaces() -> Substring { drop { $0 == " " } }
}
