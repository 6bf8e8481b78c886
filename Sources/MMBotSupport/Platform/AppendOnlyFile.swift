#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file that only grows: a write-ahead journal. Bytes are appended with `write(2)` and made
/// durable with `sync()` (one `fsync(2)`); `truncate()` empties it durably after a snapshot.
package final class AppendOnlyFile {
    package let path: String
    private var fd: Int32
    /// fsync calls made on this file (appends' syncs and truncations).
    package private(set) var syncCount = 0
    package private(set) var bytesWritten = 0

    /// Opens (creating if needed) `path` for appending. A newly created file's directory entry
    /// is made durable at once.
    package init(path: String) throws(Platform.FileError) {
        self.path = path
        let existed = Platform.fileExists(path)
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Platform.FileError(path: path, operation: "open", code: errno) }
        if !existed { try Platform.syncDirectory(of: path) }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Appends every byte (retrying short writes); nothing is durable until `sync()`.
    package func append(_ bytes: [UInt8]) throws(Platform.FileError) {
        guard !bytes.isEmpty else { return }
        let ok = bytes.withUnsafeBytes { Platform.writeAll(fd, $0) }
        guard ok else { throw Platform.FileError(path: path, operation: "append to", code: errno) }
        bytesWritten += bytes.count
    }

    /// Flushes appended bytes to the device.
    package func sync() throws(Platform.FileError) {
        guard fsync(fd) == 0 else { throw Platform.FileError(path: path, operation: "fsync", code: errno) }
        syncCount += 1
    }

    /// Cuts the file to `length` bytes (0 empties it) and makes that durable.
    package func truncate(to length: Int = 0) throws(Platform.FileError) {
        guard ftruncate(fd, off_t(length)) == 0 else { throw Platform.FileError(path: path, operation: "truncate", code: errno) }
        try sync()
    }

    package func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}

extension Platform {
    /// The whole file, or nil when it does not exist.
    package static func readFile(_ path: String) throws(FileError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw FileError(path: path, operation: "open", code: errno)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "read", code: errno)
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    package static func fileExists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// Creates `path` and any missing parents (like `mkdir -p`).
    package static func makeDirectories(_ path: String) throws(FileError) {
        if isDirectory(path) { return }
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if isDirectory(current) { continue }
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw FileError(path: current, operation: "create directory", code: errno)
            }
        }
        guard isDirectory(path) else { throw FileError(path: path, operation: "create directory", code: ENOTDIR) }
    }

    /// Makes a rename or creation inside the directory holding `path` durable.
    package static func syncDirectory(of path: String) throws(FileError) {
        let directory = (path as NSString).deletingLastPathComponent
        let dir = directory.isEmpty ? "." : directory
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw FileError(path: dir, operation: "open directory", code: errno) }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw FileError(path: dir, operation: "fsync directory", code: errno) }
    }

    /// `writeFileDurably` for bytes: temp file, fsync, rename, fsync of the directory.
    package static func writeFileDurably(_ path: String, bytes: [UInt8]) throws(FileError) {
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: temp, operation: "create", code: errno) }
        let wrote = bytes.withUnsafeBytes { writeAll(fd, $0) }
        let code = errno
        let synced = wrote && fsync(fd) == 0
        let syncCode = errno
        close(fd)
        guard synced else {
            unlink(temp)
            throw FileError(path: path, operation: "write", code: wrote ? syncCode : code)
        }
        guard rename(temp, path) == 0 else {
            let renameCode = errno
            unlink(temp)
            throw FileError(path: path, operation: "rename into", code: renameCode)
        }
        try syncDirectory(of: path)
    }

    /// The canonical absolute path (symlinks resolved), or nil when it does not exist.
    package static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// This machine's host name.
    package static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    package static func processID() -> Int32 { getpid() }

    /// Sleeps the calling thread.
    package static func sleep(milliseconds: Int64) {
        guard milliseconds > 0 else { return }
        var request = timespec(tv_sec: Int(milliseconds / 1000), tv_nsec: Int(milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}

extension Platform {
    /// Deletes the files directly inside `path`, then the directory (no recursion into
    /// subdirectories, which make it fail). Used by the benchmark to clean its scratch state.
    package static func removeDirectory(_ path: String) throws(FileError) {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return }
            throw FileError(path: path, operation: "open directory", code: errno)
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        for name in names where unlink(path + "/" + name) != 0 {
            throw FileError(path: path + "/" + name, operation: "delete", code: errno)
        }
        guard rmdir(path) == 0 else { throw FileError(path: path, operation: "delete directory", code: errno) }
    }
}
