#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// All libc use in one place: raw writes to the standard streams, the wall clock, sleeping,
/// durable file writes and resource usage.
package enum Platform {
    /// Writes every byte to a file descriptor, retrying on short writes and EINTR.
    @discardableResult
    package static func writeAll(_ fd: Int32, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { buffer in writeAll(fd, UnsafeRawBufferPointer(buffer)) }
    }

    @discardableResult
    package static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        guard var base = buffer.baseAddress else { return true }
        var remaining = buffer.count
        while remaining > 0 {
            let n = write(fd, base, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            remaining -= n
            base += n
        }
        return true
    }

    package static func writeStdout(_ text: String) { writeAll(1, text) }
    package static func writeStderr(_ text: String) { writeAll(2, text) }

    /// Milliseconds since the epoch from the system clock.
    package static func wallClockMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// A monotonic clock in nanoseconds, for pacing and benchmarks.
    package static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Peak resident set size of this process in bytes.
    package static func peakResidentBytes() -> Int64 {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Int64(usage.ru_maxrss) * 1024
    }

    package static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    package struct FileError: Error, Sendable, CustomStringConvertible {
        package let path: String
        package let operation: String
        package let code: Int32
        package var description: String {
            "could not \(operation) \(path): \(String(cString: strerror(code)))"
        }
    }

    /// Replaces `path` with `contents` durably: a temp file in the same directory, fsync,
    /// rename over the target, fsync of the directory. A crash leaves either the old file or
    /// the new one, never a torn one.
    package static func writeFileDurably(_ path: String, _ contents: String, mode: mode_t = 0o644) throws(FileError) {
        let directory = (path as NSString).deletingLastPathComponent
        let dir = directory.isEmpty ? "." : directory
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError(path: temp, operation: "create", code: errno) }
        var ok = writeAll(fd, contents)
        let writeErrno = errno
        if ok && fsync(fd) != 0 { ok = false }
        let syncErrno = errno
        close(fd)
        guard ok else {
            unlink(temp)
            throw FileError(path: path, operation: "write", code: writeErrno != 0 ? writeErrno : syncErrno)
        }
        if rename(temp, path) != 0 {
            let code = errno
            unlink(temp)
            throw FileError(path: path, operation: "rename into", code: code)
        }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// Whether a directory exists at `path`.
    package static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
}
