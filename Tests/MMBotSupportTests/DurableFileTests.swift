import Foundation
import Testing
@testable import MMBotSupport

func scratchDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "mmbot-test-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try Platform.makeDirectories(path)
    return path
}

@Suite struct DurableFileTests {
    @Test func appendOnlyFileAppendsSyncsAndTruncates() throws {
        let dir = try scratchDirectory("append")
        defer { try? Platform.removeDirectory(dir) }
        let file = try AppendOnlyFile(path: dir + "/j.jsonl")
        try file.append(Array("a\n".utf8))
        try file.append(Array("b\n".utf8))
        try file.sync()
        #expect(try Platform.readFile(dir + "/j.jsonl") == Array("a\nb\n".utf8))
        #expect(file.syncCount == 1)
        try file.truncate(to: 2)
        #expect(try Platform.readFile(dir + "/j.jsonl") == Array("a\n".utf8))
        try file.truncate()
        #expect(try Platform.readFile(dir + "/j.jsonl") == [])
        #expect(try Platform.readFile(dir + "/missing") == nil)
    }

    @Test func durableWritesReplaceWholeFiles() throws {
        let dir = try scratchDirectory("durable")
        defer { try? Platform.removeDirectory(dir) }
        try Platform.writeFileDurably(dir + "/f", bytes: Array("one".utf8))
        try Platform.writeFileDurably(dir + "/f", bytes: Array("two".utf8))
        #expect(try Platform.readFile(dir + "/f") == Array("two".utf8))
        #expect(!Platform.fileExists(dir + "/f.tmp-\(getpid())"))
    }

    @Test func aSecondLockOnTheSameFileIsRefusedUntilReleased() throws {
        let dir = try scratchDirectory("lock")
        defer { try? Platform.removeDirectory(dir) }
        let first = try FileLock(path: dir + "/lock")
        do {
            _ = try FileLock(path: dir + "/lock")
            Issue.record("a second lock was granted")
        } catch {
            guard case .busy(let busy) = error else { Issue.record("unexpected \(error)"); return }
            #expect(busy.holder == "pid \(getpid())")
        }
        first.release()
        let again = try FileLock(path: dir + "/lock")
        again.release()
    }

    @Test func makeDirectoriesCreatesParents() throws {
        let dir = try scratchDirectory("mkdir")
        defer { try? Platform.removeDirectory(dir + "/a/b"); try? Platform.removeDirectory(dir + "/a"); try? Platform.removeDirectory(dir) }
        try Platform.makeDirectories(dir + "/a/b")
        #expect(Platform.isDirectory(dir + "/a/b"))
    }
}

@Suite struct JSONLineBuilderTests {
    @Test func writesWhatTheCanonicalWriterWrites() {
        var b = JSONLineBuilder()
        b.beginObject()
        b.key("a"); b.int(-42)
        b.key("b"); b.decimal(Fixed("0.00012")!)
        b.key("c"); b.beginArray(); b.decimal(Fixed("-3.5")!); b.decimal(Fixed("50000")!); b.bool(true); b.null(); b.endArray()
        b.key("d"); b.string("q\"\\\n\u{01}é")
        b.key("e"); b.beginObject(); b.endObject()
        b.key("f"); b.int(Int64.min)
        b.endObject()
        let value: JSONValue = [
            "a": -42, "b": .decimal(Fixed("0.00012")!), "c": [.decimal(Fixed("-3.5")!), .decimal(Fixed("50000")!), true, nil],
            "d": "q\"\\\n\u{01}é", "e": [:], "f": .int(Int64.min),
        ]
        #expect(String(decoding: b.bytes, as: UTF8.self) == JSONWriter.string(value))
    }

    @Test func decimalsMatchFixedDescription() {
        for text in ["0", "1", "-1", "0.1", "0.00000001", "123456789.12345678", "-0.5", "92233720368.54775807", "10", "100.01"] {
            var out: [UInt8] = []
            JSONLineBuilder.appendFixed(Fixed(text)!, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == Fixed(text)!.description)
        }
    }
}
