#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An exclusive advisory lock on a file (`flock(2)`), held while the value lives. The kernel
/// drops it when the process dies, even by `kill -9`, so a crash never leaves a stale lock.
/// The holder writes its pid into the file so that a refused second process can say who holds it.
package final class FileLock {
    package struct Busy: Error, Sendable, CustomStringConvertible {
        package let path: String
        /// What the holder wrote into the lock file (e.g. "pid 4242"), if anything.
        package let holder: String
        package var description: String {
            "\(path) is locked by another process" + (holder.isEmpty ? "" : " (\(holder))")
        }
    }

    package enum Failure: Error, Sendable, CustomStringConvertible {
        case busy(Busy)
        case file(Platform.FileError)
        package var description: String {
            switch self {
            case .busy(let busy): return busy.description
            case .file(let error): return error.description
            }
        }
    }

    package let path: String
    private var fd: Int32

    /// Takes the lock without waiting, or throws `.busy` naming the holder.
    package init(path: String) throws(Failure) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .file(Platform.FileError(path: path, operation: "open", code: errno)) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            var holder = ""
            if code == EWOULDBLOCK, let bytes = try? Platform.readFile(path) {
                holder = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            Glibc.close(fd)
            fd = -1
            if code == EWOULDBLOCK { throw .busy(Busy(path: path, holder: holder)) }
            throw .file(Platform.FileError(path: path, operation: "lock", code: code))
        }
        let note = "pid \(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = Platform.writeAll(fd, note)
    }

    deinit { release() }

    /// Drops the lock; later calls do nothing.
    package func release() {
        guard fd >= 0 else { return }
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        Glibc.close(fd)
        fd = -1
    }
}
