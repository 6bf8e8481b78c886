#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Files that hold credentials: read only when nobody but the owner can read them (the rule ssh
/// applies to private keys), written whole with mode 0600, durably and atomically, under an
/// exclusive lock so that two writers never lose each other's update.
extension Platform {
    /// What reading a private file found.
    package enum PrivateFileRead: Sendable, Equatable {
        case missing
        case contents([UInt8])
        /// Not a regular file (a directory, a device, a FIFO).
        case notRegular
        /// Group or others have some permission on it; `mode` holds the permission bits.
        case tooOpen(mode: UInt32)
        /// Owned by another user.
        case ownedByOther(uid: UInt32)
    }

    /// Opens `path` (following symlinks, like ssh), checks the open file's owner, type and mode,
    /// and only then reads it.
    package static func readPrivateFile(_ path: String) throws(FileError) -> PrivateFileRead {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return .missing }
            throw FileError(path: path, operation: "open", code: code)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileError(path: path, operation: "inspect", code: errno) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { return .notRegular }
        guard st.st_uid == geteuid() else { return .ownedByOther(uid: st.st_uid) }
        let permissions = UInt32(st.st_mode) & 0o7777
        guard permissions & 0o077 == 0 else { return .tooOpen(mode: permissions) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw FileError(path: path, operation: "read", code: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return .contents(bytes)
    }

    /// Replaces `path` with `bytes`, mode exactly 0600: a fresh temp file beside it (created
    /// with O_EXCL, never an old one), fsync, rename over the target, fsync of the directory.
    package static func writePrivateFileDurably(_ path: String, _ bytes: [UInt8]) throws(FileError) {
        let directory = (path as NSString).deletingLastPathComponent
        let dir = directory.isEmpty ? "." : directory
        let temp = path + ".tmp-\(getpid())"
        unlink(temp)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode_t(0o600))
        guard fd >= 0 else { throw FileError(path: temp, operation: "create", code: errno) }
        var failure: FileError?
        if fchmod(fd, mode_t(0o600)) != 0 {
            failure = FileError(path: temp, operation: "set mode 0600 on", code: errno)
        } else if !bytes.withUnsafeBytes({ writeAll(fd, $0) }) {
            failure = FileError(path: path, operation: "write", code: errno)
        } else if fsync(fd) != 0 {
            failure = FileError(path: path, operation: "flush", code: errno)
        }
        close(fd)
        if let failure {
            unlink(temp)
            throw failure
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

    /// Creates `path` and any missing parents with `mode` (0700 for a directory holding secrets);
    /// existing directories are left as they are.
    package static func makeDirectories(_ path: String, mode: mode_t) throws(FileError) {
        if path.isEmpty || isDirectory(path) { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0, errno != EEXIST {
            throw FileError(path: path, operation: "create directory", code: errno)
        }
    }

    /// An exclusive advisory lock (flock) on a lock file, held until `unlock()` or deinit.
    package final class FileLock {
        private var fd: Int32

        /// Blocks until the lock on `path` (created with mode 0600 if absent) is held.
        package init(_ path: String) throws(FileError) {
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode_t(0o600))
            guard fd >= 0 else { throw FileError(path: path, operation: "open the lock file", code: errno) }
            while flock(fd, LOCK_EX) != 0 {
                let code = errno
                if code == EINTR { continue }
                Glibc.close(fd)
                fd = -1
                throw FileError(path: path, operation: "lock", code: code)
            }
        }

        package func unlock() {
            guard fd >= 0 else { return }
            flock(fd, LOCK_UN)
            Glibc.close(fd)
            fd = -1
        }

        deinit { unlock() }
    }
}
