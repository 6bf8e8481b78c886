import MMBotSupport

/// `--state-backend`.
package enum StateBackendKind: String, Sendable, CaseIterable {
    case file
    case redis
}

/// The durable-state flags of exec-demo, validated.
package struct DurableOptions: Sendable {
    package var directory: String
    package var backend: StateBackendKind
    package var redisURL: RedisURL
    package var recover: Bool
    package var onRecover: RecoverAction
    package var redisOptions = RedisClient.Options()

    package init(directory: String, backend: StateBackendKind, redisURL: RedisURL, recover: Bool, onRecover: RecoverAction) {
        self.directory = directory
        self.backend = backend
        self.redisURL = redisURL
        self.recover = recover
        self.onRecover = onRecover
    }
}

/// An opened state directory, ready for a run.
package final class DurableSetup {
    package let options: DurableOptions
    package let state: DurableState
    /// The simulated venue as the directory holds it (shadow mode), nil for a new directory.
    package let venue: VenueState?
    /// The run's first instant: never before the last instant the state recorded.
    package let startTime: Millis
    /// Whether the simulated venue is persisted beside the state (not for the in-memory store).
    package let persistsVenue: Bool
    private let lock: FileLock?

    init(options: DurableOptions, state: DurableState, venue: VenueState?, startTime: Millis, lock: FileLock?, persistsVenue: Bool = true) {
        self.options = options
        self.state = state
        self.venue = venue
        self.startTime = startTime
        self.lock = lock
        self.persistsVenue = persistsVenue
    }

    /// A run over the in-memory store: nothing touches the disk (tests, the benchmark).
    package static func inMemory(store: InMemoryOrderStore, config: EngineConfig, clock: RunClock, logger: Logger) throws(StateError) -> DurableSetup {
        let loaded = try store.load()
        var registry = SessionRegistry()
        let session = registry.startRun(preferred: config.orderSession, recovering: false)
        let state = DurableState(store: store, session: session, registry: registry, loaded: loaded, recovery: RecoveryInfo(),
                                 clock: clock, logger: logger)
        let options = DurableOptions(directory: "", backend: .file, redisURL: RedisURL(host: "127.0.0.1"), recover: false, onRecover: .cancel)
        return DurableSetup(options: options, state: state, venue: nil, startTime: config.startTime, lock: nil, persistsVenue: false)
    }

    /// Releases the directory (the kernel also does when the process dies).
    package func close() {
        state.store.close()
        lock?.release()
    }
}

/// Opens a state directory for a run: lock, read, validate, take a session. Nothing on disk or
/// in Redis changes until every check passed (docs/state.md, "Recovery").
package enum DurableRun {
    package static let lockFile = "lock"

    package static func open(_ options: DurableOptions, config: EngineConfig, clock: RunClock, logger: Logger) throws(StateError) -> DurableSetup {
        let directory = options.directory
        do {
            try Platform.makeDirectories(directory)
        } catch {
            throw StateError.io(error.description)
        }
        let lock: FileLock
        do {
            lock = try FileLock(path: directory + "/" + lockFile)
        } catch {
            switch error {
            case .busy(let busy): throw StateError.locked(directory: directory, holder: busy.holder)
            case .file(let failure): throw StateError.io(failure.description)
            }
        }
        var registry = try SessionRegistry.read(directory: directory)
        let hasFiles = Platform.fileExists(directory + "/" + DiskSnapshot.ordersFile)
            || Platform.fileExists(directory + "/" + FileOrderStore.journalFile)
        if options.recover && registry == nil && !hasFiles { throw StateError.noState(directory: directory) }

        let store: any OrderStore
        switch options.backend {
        case .file:
            store = FileOrderStore(directory: directory)
        case .redis:
            let client = RedisClient(url: options.redisURL, options: options.redisOptions)
            client.onEvent = { event in
                if case .retrying(let error, let attempt, let delay) = event {
                    logger.log(.warning, name: "mm.state", component: "redis", event: "redis_retry", [
                        ("error", .string(error)), ("attempt", .int(attempt)), ("delay_ms", .int(delay)),
                    ])
                }
            }
            do {
                try client.connect()
            } catch {
                throw StateError.redis("\(error.message); start Redis there, fix --redis-url, or use --state-backend file")
            }
            let owner = Platform.hostName() + ":" + (Platform.realPath(directory) ?? directory)
            store = RedisOrderStore(client: client, owner: owner, directory: directory, symbols: config.symbols,
                                    sessions: Set(registry?.sessions ?? []))
        }
        let loaded = try store.load()
        let venue = config.mode == .shadow ? try VenueStateLoader.load(directory: directory) : nil
        if !options.recover {
            let left = max(loaded.openOrders.count, venue?.resting.count ?? 0)
            if left > 0 { throw StateError.openOrdersLeft(directory: directory, count: left) }
        }

        var sessions = registry ?? SessionRegistry()
        let session = sessions.startRun(preferred: config.orderSession, recovering: options.recover)
        try sessions.write(directory: directory)
        registry = sessions

        var resume = config.startTime
        if let last = loaded.lastTime { resume = max(resume, last + config.tickMs) }
        if let venue, venue.time > 0 { resume = max(resume, venue.time + config.tickMs) }
        clock.now = resume

        var info = RecoveryInfo()
        info.recovered = options.recover
        info.action = options.recover ? options.onRecover : nil
        info.journalEntriesReplayed = loaded.recordsReplayed
        info.snapshotTime = loaded.snapshotTime
        info.tornTail = loaded.tornTail != nil || venue?.tornTail != nil
        info.warnings = loaded.warnings
        if let torn = venue?.tornTail {
            info.warnings.append("\(torn.file) ended in an incomplete record at line \(torn.line) (\(torn.reason)); "
                + "the venue was restored from everything before it")
        }
        let state = DurableState(store: store, session: session, registry: sessions, loaded: loaded, recovery: info, clock: clock, logger: logger)
        logger.log(.info, name: "mm.state", component: "order_store", event: "state_opened", [
            ("backend", .string(store.backend)), ("state_dir", .string(directory)), ("recover", .bool(options.recover)),
            ("orders_loaded", .int(loaded.orders.count)), ("open_orders", .int(loaded.openOrders.count)),
            ("records_replayed", .int(loaded.recordsReplayed)), ("torn_tail", .bool(info.tornTail)),
        ])
        for warning in info.warnings {
            logger.log(.warning, name: "mm.state", component: "order_store", event: "state_warning", [("warning", .string(warning))])
        }
        return DurableSetup(options: options, state: state, venue: venue, startTime: resume, lock: lock)
    }
}
