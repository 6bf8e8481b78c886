import Foundation
import Testing
@testable import MMBotCore
@testable import MMBotSupport

private func plainReport(_ config: EngineConfig) throws -> JSONValue {
    let clock = RunClock(now: config.startTime)
    let stop = StopSignal()
    let logger = Logger(threshold: .off, format: .json, sink: MemoryLogSink(), clock: clock)
    let loop = ShadowRun.makeLoop(config: config, clock: clock, logger: logger, pacer: VirtualPacer(stop: stop), stop: stop)
    try loop.run()
    return RunReport.build(loop: loop, runtime: RunReport.Runtime(utc: "2025-01-01T00:00:00Z"))
}

private func withoutState(_ report: JSONValue) -> JSONValue {
    guard case .object(var members) = report else { return report }
    members["state"] = nil
    members["recovery"] = nil
    return .object(members)
}

@Suite(.serialized) struct DurableLoopTests {
    @Test(arguments: [(StateBackendKind.file, 10), (StateBackendKind.redis, 11)])
    func aFreshDurableRunTradesExactlyLikeAnInMemoryRun(_ backend: StateBackendKind, _ database: Int) throws {
        let dir = try StateFixture.directory("fresh")
        defer { StateFixture.remove(dir) }
        let config = StateFixture.config(iterations: 60, edgeThreshold: "4")
        let redis = backend == .redis ? try StateFixture.redisURL(database: database) : nil
        let harness = try DurableHarness.open(StateFixture.options(dir, backend: backend, redis: redis), config: config)
        try harness.loop.run()
        harness.setup.close()
        let report = RunReport.build(loop: harness.loop, runtime: RunReport.Runtime(utc: "2025-01-01T00:00:00Z"))
        #expect(withoutState(report) == (try plainReport(config)))
        #expect(report["risk"]?["frozen"] == .bool(true))
        let state = try #require(report["state"])
        #expect(state["backend"] == .string(backend.rawValue))
        #expect(state["duplicate_operations"] == .int(0))
        #expect((state["journal_records"]?.intValue ?? 0) > 100)
        #expect((state["snapshots_written"]?.intValue ?? 0) >= 3)  // startup, freeze, shutdown
        #expect(report["recovery"]?["recovered"] == .bool(false))
        // The freeze wrote a snapshot: orders.jsonl and last_snapshot_ts.txt exist and parse.
        #expect(try DiskSnapshot.readTime(directory: dir) != nil)
        #expect(try DiskSnapshot.readOrders(directory: dir).allSatisfy { $0.state.isTerminal })
        if backend == .file {
            #expect(try FileOrderStore(directory: dir).load().openOrders.isEmpty)
        } else {
            let client = RedisClient(url: try #require(redis))
            #expect(try client.command(["SCARD", "orders:open"]) == .integer(0))
            guard case .array(let keys?) = try client.command(["KEYS", "idem:*"]) else { Issue.record("KEYS"); return }
            #expect(keys.count == state["idempotency_keys"]?.intValue.map(Int.init))
            guard case .integer(let ttl) = try client.command(["TTL", try #require(keys.first?.string)]) else { Issue.record("TTL"); return }
            #expect(ttl > 86_000 && ttl <= 86_400)
        }
    }

    @Test func cancelAllReplayedWithTheSameKeyCancelsOnce() throws {
        let dir = try StateFixture.directory("cancelall")
        defer { StateFixture.remove(dir) }
        let harness = try DurableHarness.open(StateFixture.options(dir), config: StateFixture.config(iterations: 10))
        var first = -1, second = -1, venueOpenBetween = -1, openBefore = -1
        let loop = harness.loop
        harness.pacer.hook = { index in
            guard index == 5 else { return false }
            openBefore = loop.openOrders.count
            first = (try? loop.cancelAll(reason: .freeze, number: 1)) ?? -1
            venueOpenBetween = (try? loop.exchange.openOrders(symbols: loop.config.symbols).count) ?? -1
            second = (try? loop.cancelAll(reason: .freeze, number: 1)) ?? -1
            return false
        }
        try loop.run()
        #expect(openBefore > 0)
        #expect(first == openBefore)
        #expect(second == first)  // the first result, not a second round of cancels
        #expect(venueOpenBetween == 0)
        #expect(loop.counters.canceledByReason[.freeze] == openBefore)
        #expect(harness.setup.state.duplicates == 1)
        #expect(harness.events("idem_hit").first?["key"]?.stringValue?.hasPrefix("cancel_all:") == true)
        harness.setup.close()
    }

    @Test func aReplayedPlaceKeyReturnsTheFirstResultAndRecordsNothing() throws {
        let store = InMemoryOrderStore()
        let config = StateFixture.config(iterations: 5)
        let clock = RunClock(now: config.startTime)
        let sink = MemoryLogSink()
        let logger = Logger(threshold: .info, format: .json, sink: sink, clock: clock)
        let setup = try DurableSetup.inMemory(store: store, config: config, clock: clock, logger: logger)
        let pacer = HookPacer()
        let loop = ShadowRun.makeLoop(config: config, clock: clock, logger: logger, pacer: pacer, stop: StopSignal(), durable: setup)
        var replayed: MutationResult?
        var pendingBefore = -1, pendingAfter = -1
        pacer.hook = { index in
            guard index == 2, let order = loop.openOrders.first else { return false }
            pendingBefore = store.pendingCount
            replayed = setup.state.willPlace(order)
            pendingAfter = store.pendingCount
            return false
        }
        try loop.run()
        #expect(replayed == .accepted)
        #expect(pendingAfter == pendingBefore)
        #expect(setup.state.duplicates == 1)
        #expect(sink.lines.contains { $0.contains("\"event\":\"idem_hit\"") && $0.contains("\"op\":\"place\"") })
    }

    @Test func aJournalReplayedTwiceGivesTheSameState() throws {
        let store = InMemoryOrderStore()
        let config = StateFixture.config(iterations: 30)
        let clock = RunClock(now: config.startTime)
        let logger = Logger(threshold: .off, format: .json, sink: MemoryLogSink(), clock: clock)
        let setup = try DurableSetup.inMemory(store: store, config: config, clock: clock, logger: logger)
        let pacer = HookPacer()
        var records: [StateRecord] = []
        pacer.hook = { index in
            if index == 20 { records = store.committed }
            return false
        }
        try ShadowRun.makeLoop(config: config, clock: clock, logger: logger, pacer: pacer, stop: StopSignal(), durable: setup).run()
        #expect(records.count > 100)
        let once = StateReplay.build(snapshotOrders: [], keys: [], snapshotTime: nil, records: records, tornTail: nil)
        let twice = StateReplay.build(snapshotOrders: once.orders, keys: once.keys, snapshotTime: nil, records: records, tornTail: nil)
        #expect(twice.orders == once.orders)
        #expect(twice.keys == once.keys)
        #expect(!once.openOrders.isEmpty)
        // The same through the file store: a snapshot that already holds the journal's effects
        // (a crash between the snapshot's rename and the journal's truncation).
        let dir = try StateFixture.directory("twice")
        defer { StateFixture.remove(dir) }
        _ = try DiskSnapshot.write(directory: dir, time: StateFixture.start, orders: once.orders)
        var journal = JSONLineBuilder()
        for record in records { StateCodec.appendRecord(record, to: &journal) }
        try Platform.writeFileDurably(dir + "/journal.jsonl", bytes: journal.bytes)
        let loaded = try FileOrderStore(directory: dir).load()
        #expect(loaded.orders == once.orders)
        #expect(loaded.recordsReplayed == records.count)
    }

    @Test(arguments: [(StateBackendKind.file, RecoverAction.cancel, 12), (.file, .adopt, 13), (.redis, .cancel, 14), (.redis, .adopt, 15)])
    func aCrashAtAnyIterationRecoversEveryVenueOrder(_ backend: StateBackendKind, _ action: RecoverAction, _ database: Int) throws {
        let dir = try StateFixture.directory("recover")
        defer { StateFixture.remove(dir) }
        let redis = backend == .redis ? try StateFixture.redisURL(database: database) : nil
        let config = StateFixture.config(iterations: 12)
        let harness = try DurableHarness.open(StateFixture.options(dir, backend: backend, redis: redis), config: config)
        var crashed: String?
        harness.pacer.hook = { index in
            if index == 7 { crashed = try? crashCopy(dir) }
            return false
        }
        try harness.loop.run()
        harness.setup.close()
        let copy = try #require(crashed)
        defer { StateFixture.remove(copy) }
        if backend == .redis {
            // Redis kept what the first run committed up to its end; rebuild it as it was at the
            // crash instead (the kill -9 test in MMBotCLITests crashes a real process on Redis).
            try recoverAbandoned(backend: backend, redis: redis, action: action)
            return
        }
        // What the crash left: every order open at the venue is known locally.
        let venue = try #require(try VenueStateLoader.load(directory: copy))
        let local = try FileOrderStore(directory: copy).load()
        let known = Set(local.orders.map(\.id))
        #expect(!venue.resting.isEmpty)
        #expect(venue.resting.allSatisfy { known.contains($0.request.id) })
        let again = try DurableHarness.open(StateFixture.options(copy, recover: true, action: action), config: config)
        try again.loop.run()
        let info = again.setup.state.recovery
        #expect(info.recovered && info.action == action)
        #expect(info.orphansAtVenue == 0)
        #expect(info.openOrdersCount == venue.resting.count)
        if action == .adopt { #expect(info.adopted > 0) } else { #expect(info.canceled == venue.resting.count) }
        let reconciled = try #require(again.events("recovery_reconciled").first)
        #expect(reconciled["local_open"] == reconciled["venue_open"])
        again.setup.close()
        let ids = Set((try SessionRegistry.read(directory: copy))!.sessions)
        #expect(ids.count == 2)
    }

    /// Redis variant: a run abandoned mid-way (its shutdown never runs) leaves its orders in Redis
    /// and the venue files; a recovering run reconciles them.
    private func recoverAbandoned(backend: StateBackendKind, redis: RedisURL?, action: RecoverAction) throws {
        let dir = try StateFixture.directory("abandon")
        defer { StateFixture.remove(dir) }
        let config = StateFixture.config(iterations: 12)
        let first = try DurableHarness.open(StateFixture.options(dir, backend: backend, redis: redis), config: config)
        var copy: String?
        first.pacer.hook = { index in
            if index == 7 { copy = try? crashCopy(dir) }
            return false
        }
        try first.loop.run()
        first.setup.close()
        // Put Redis back as it was at the crash: the orders open then are the venue's resting ones
        // (the first run went on to its shutdown and canceled them in Redis).
        let crashed = try #require(copy)
        defer { StateFixture.remove(crashed) }
        let venue = try #require(try VenueStateLoader.load(directory: crashed))
        #expect(!venue.resting.isEmpty)
        let client = RedisClient(url: try #require(redis))
        try client.command(["FLUSHDB"])  // Redis as it was at the crash: only the then-open orders
        let owner = Platform.hostName() + ":" + (Platform.realPath(crashed) ?? crashed)
        for resting in venue.resting {
            let order = Order(id: resting.request.id, symbol: resting.request.symbol, side: resting.request.side, price: resting.request.price,
                              quantity: resting.request.quantity, postOnly: true, createdAt: resting.request.time, filledQuantity: resting.filled,
                              state: resting.filled.raw > 0 ? .partiallyFilled : .open, updatedAt: resting.request.time)
            var value = JSONLineBuilder()
            StateCodec.appendOrder(order, owner: owner, to: &value)
            try client.command(["SET", "orders:\(order.id)", String(decoding: value.bytes, as: UTF8.self)])
            try client.command(["SADD", "orders:by_symbol:\(order.symbol.name)", order.id.description])
        }
        let again = try DurableHarness.open(StateFixture.options(crashed, backend: backend, redis: redis, recover: true, action: action), config: config)
        try again.loop.run()
        let info = again.setup.state.recovery
        #expect(info.orphansAtVenue == 0)
        #expect(info.openOrdersCount == venue.resting.count)
        let reconciled = try #require(again.events("recovery_reconciled").first)
        #expect(reconciled["local_open"] == reconciled["venue_open"])
        again.setup.close()
    }

    @Test func aTornLastRecordIsRecoveredWarnedAndKeptAside() throws {
        let dir = try StateFixture.directory("torn")
        defer { StateFixture.remove(dir) }
        let records = Array(StateCodecTests.records.prefix(3))
        var journal = JSONLineBuilder()
        for record in records { StateCodec.appendRecord(record, to: &journal) }
        let cut = journal.bytes.count - 40  // the last record loses its end and its newline
        try Platform.writeFileDurably(dir + "/journal.jsonl", bytes: Array(journal.bytes[..<cut]))
        let loaded = try FileOrderStore(directory: dir).load()
        #expect(loaded.recordsReplayed == 2)
        #expect(loaded.tornTail?.line == 3)
        #expect(loaded.warnings.count == 1)
        let harness = try DurableHarness.open(StateFixture.options(dir, recover: true), config: StateFixture.config(iterations: 3))
        try harness.loop.run()
        harness.setup.close()
        #expect(harness.setup.state.recovery.tornTail)
        #expect(harness.setup.state.recovery.warnings.first?.contains("journal.jsonl") == true)
        let kept = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("journal.torn-") }
        #expect(kept.count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + kept[0])) == Data(journal.bytes[loaded.tornTail!.offset..<cut]))
        // The journal no longer ends in garbage: a second recovery loads cleanly.
        #expect(try FileOrderStore(directory: dir).load().tornTail == nil)
    }

    @Test(arguments: [1, 2])
    func corruptionBeforeTheTailIsRefusedWithFileAndLineAndChangesNothing(_ badLine: Int) throws {
        let dir = try StateFixture.directory("corrupt")
        defer { StateFixture.remove(dir) }
        var lines: [String] = []
        for record in StateCodecTests.records.prefix(4) {
            var b = JSONLineBuilder()
            StateCodec.appendRecord(record, to: &b)
            lines.append(String(decoding: b.bytes, as: UTF8.self))
        }
        lines[badLine - 1] = badLine == 1 ? "{\"key\":\"place:mm-000000ab-17\",\"lsn\":1,\n" : lines[badLine - 1].replacingOccurrences(of: "\"lsn\":2", with: "\"lsn\":9")
        try Platform.writeFileDurably(dir + "/journal.jsonl", bytes: Array(lines.joined().utf8))
        try SessionRegistry(sessions: [1]).write(directory: dir)
        let before = try fileBytes(dir)
        do {
            _ = try DurableHarness.open(StateFixture.options(dir, recover: true), config: StateFixture.config())
            Issue.record("a corrupt journal was accepted")
        } catch let error as StateError {
            guard case .corrupt(let file, let line, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file.hasSuffix("/journal.jsonl"))
            #expect(line == badLine)
            #expect(error.description.contains("journal.jsonl line \(badLine)"))
            #expect(error.description.contains("nothing was changed"))
        }
        #expect(try fileBytes(dir) == before)
    }

    @Test func aSecondProcessOnTheSameDirectoryIsRefused() throws {
        let dir = try StateFixture.directory("lock")
        defer { StateFixture.remove(dir) }
        let first = try DurableHarness.open(StateFixture.options(dir), config: StateFixture.config())
        do {
            _ = try DurableHarness.open(StateFixture.options(dir), config: StateFixture.config())
            Issue.record("two runs opened one state directory")
        } catch let error as StateError {
            guard case .locked(let directory, let holder) = error else { Issue.record("unexpected \(error)"); return }
            #expect(directory == dir)
            #expect(holder == "pid \(getpid())")
        }
        first.setup.close()
        _ = try DurableHarness.open(StateFixture.options(dir), config: StateFixture.config()).setup.close()
    }

    @Test func recoverWithoutStateAndAFreshStartOverOpenOrdersAreRefused() throws {
        let empty = try StateFixture.directory("empty")
        defer { StateFixture.remove(empty) }
        #expect(throws: StateError.noState(directory: empty)) {
            _ = try DurableHarness.open(StateFixture.options(empty, recover: true), config: StateFixture.config())
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty).filter { $0 != "lock" }.isEmpty)
        let dir = try StateFixture.directory("left")
        defer { StateFixture.remove(dir) }
        let harness = try DurableHarness.open(StateFixture.options(dir), config: StateFixture.config(iterations: 12))
        var copy: String?
        harness.pacer.hook = { index in
            if index == 6 { copy = try? crashCopy(dir) }
            return false
        }
        try harness.loop.run()
        harness.setup.close()
        let crashed = try #require(copy)
        defer { StateFixture.remove(crashed) }
        do {
            _ = try DurableHarness.open(StateFixture.options(crashed), config: StateFixture.config())
            Issue.record("a fresh start over open orders was accepted")
        } catch let error as StateError {
            guard case .openOrdersLeft(_, let count) = error else { Issue.record("unexpected \(error)"); return }
            #expect(count > 0)
            #expect(error.description.contains("--recover"))
        }
        // A clean shutdown leaves nothing open: a fresh start there is fine, with a new session.
        let next = try DurableHarness.open(StateFixture.options(dir), config: StateFixture.config(iterations: 3))
        try next.loop.run()
        next.setup.close()
        #expect(next.setup.state.session != harness.setup.state.session)
    }

    @Test func theVenueRestoredFromItsFilesBehavesLikeTheOriginal() throws {
        let dir = try StateFixture.directory("venue")
        defer { StateFixture.remove(dir) }
        let config = StateFixture.config()
        let market = SyntheticMarket(symbols: config.symbols, seed: 7)
        let logger = Logger(threshold: .off, format: .json, sink: MemoryLogSink(), clock: RunClock(now: 0))
        let venue = SimVenue(config: config.venue, market: market, seed: 7, logger: logger)
        let store = VenueStore(directory: dir, lastLSN: 0)
        store.venue = venue
        venue.journal = store
        let planner = QuotePlanner(offsetBps: .one, notionalUSD: Fixed(4_000))
        var fills: [Fill] = []
        var seq: UInt64 = 0
        for step in 0..<30 {
            market.step()
            let t = StateFixture.start + Int64(step) * 1000
            venue.advance(to: t, into: &fills)
            for (s, symbol) in config.symbols.enumerated() {
                for side in [Side.buy, .sell] {
                    seq += 1
                    let plan = planner.plan(side, market: market.snapshot(s), rules: InstrumentCatalog.entry(for: symbol).rules)
                    _ = venue.place(OrderRequest(id: ClientOrderID(session: 9, sequence: seq), symbol: symbol, side: side, price: plan.price,
                                                 quantity: plan.quantity, postOnly: true, time: t))
                }
            }
            if step % 4 == 0, let first = venue.openOrders.first { _ = venue.cancel(first.request.id) }
            if step == 12 { try store.writeSnapshot(time: t) }  // venue.json mid-way, journal after it
            try store.flushAfterCommit()
        }
        let loaded = try #require(try VenueStateLoader.load(directory: dir))
        let original = venue.exportState(lsn: loaded.lsn, time: loaded.time)
        #expect(loaded.resting == original.resting)
        #expect(loaded.events == original.events)
        #expect(loaded.rng == original.rng)
        #expect(loaded.recordsReplayed > 0)
        // Restored, it delivers the same fills and takes the same decisions as the original.
        let twin = SimVenue(config: config.venue, market: market, seed: 7, logger: logger)
        twin.restore(loaded)
        var a: [Fill] = [], b: [Fill] = []
        venue.advance(to: StateFixture.start + 60_000, into: &a)
        twin.advance(to: StateFixture.start + 60_000, into: &b)
        #expect(a == b)
        let probe = OrderRequest(id: ClientOrderID(session: 9, sequence: 999), symbol: config.symbols[0], side: .buy,
                                 price: Fixed("40000")!, quantity: Fixed("0.1")!, postOnly: true, time: StateFixture.start + 60_000)
        #expect(venue.place(probe) == twin.place(probe))
        #expect(venue.exportState(lsn: 0, time: 0).events == twin.exportState(lsn: 0, time: 0).events)
    }

    @Test func aStoreFailureStopsQuotingAndCancelsEveryOrder() throws {
        let store = InMemoryOrderStore()
        let config = StateFixture.config(iterations: 20)
        let clock = RunClock(now: config.startTime)
        let sink = MemoryLogSink()
        let logger = Logger(threshold: .info, format: .json, sink: sink, clock: clock)
        let setup = try DurableSetup.inMemory(store: store, config: config, clock: clock, logger: logger)
        let pacer = HookPacer()
        let loop = ShadowRun.makeLoop(config: config, clock: clock, logger: logger, pacer: pacer, stop: StopSignal(), durable: setup)
        var openAtFailure = 0
        pacer.hook = { index in
            if index == 8 {
                openAtFailure = loop.openOrders.count
                store.failCommits = .redis("Redis at redis://127.0.0.1:1/0 is unreachable: test")
            }
            return false
        }
        try loop.run()
        #expect(openAtFailure > 0)
        #expect(loop.iterationsCompleted == 9)
        #expect(loop.openOrders.isEmpty)
        #expect(try loop.exchange.openOrders(symbols: loop.config.symbols).isEmpty)
        #expect(loop.counters.canceledByReason[.stateUnavailable] >= openAtFailure)
        #expect(setup.state.haltReason?.contains("unreachable") == true)
        #expect(sink.lines.contains { $0.contains("\"event\":\"state_store_unavailable\"") })
        let report = RunReport.build(loop: loop, runtime: RunReport.Runtime(utc: "x"))
        #expect(report["state"]?["halted"]?.stringValue?.contains("unreachable") == true)
    }

    @Test func redisRecoveryLeavesOtherOwnersOrdersAlone() throws {
        let url = try StateFixture.redisURL(database: 16)
        let client = RedisClient(url: url)
        let foreign = Order(id: ClientOrderID(session: 5, sequence: 1), symbol: Symbol(validating: "BTCUSDT")!, side: .buy, price: Fixed("1")!,
                            quantity: Fixed("1")!, postOnly: true, createdAt: 1, filledQuantity: .zero, state: .open, updatedAt: 1)
        var value = JSONLineBuilder()
        StateCodec.appendOrder(foreign, owner: "elsewhere:/other/dir", to: &value)
        try client.command(["SET", "orders:\(foreign.id)", String(decoding: value.bytes, as: UTF8.self)])
        try client.command(["SADD", "orders:by_symbol:BTCUSDT", foreign.id.description])
        let dir = try StateFixture.directory("owner")
        defer { StateFixture.remove(dir) }
        let harness = try DurableHarness.open(StateFixture.options(dir, backend: .redis, redis: url), config: StateFixture.config(iterations: 5))
        try harness.loop.run()
        harness.setup.close()
        #expect(try client.command(["SISMEMBER", "orders:by_symbol:BTCUSDT", foreign.id.description]) == .integer(1))
        #expect(try client.command(["GET", "orders:\(foreign.id)"]).string?.contains("elsewhere") == true)
    }
}

extension RecoveryInfo {
    var openOrdersCount: Int { openOrders.count }
}
