import Synchronization

/// What the Bybit adapter and the symbol-filter cache count while a run lasts, readable from any
/// thread: the run report reads it at the end, the observability snapshot while the run goes
/// (`mm_rate_limit_remaining`, `mm_symbol_filters_source_total`,
/// `mm_symbol_filters_fetch_errors_total`). One lock per update: the adapter's updates are per
/// HTTP request, and the cache's per symbol per iteration.
package final class VenueTelemetry: Sendable {
    /// Events the report lists under `bybit`.
    package enum Event: String, Sendable, CaseIterable {
        /// HTTP requests sent (every attempt).
        case requests
        /// Requests repeated after a failure that left nothing done or the outcome unknown.
        case retries
        /// Clock resynchronisations with /v5/market/time after a retCode 10002.
        case clockResyncs = "clock_resyncs"
        /// Waits for the rate-limit window to reset (10006, or a window already used up).
        case rateLimitWaits = "rate_limit_waits"
        /// Order creations whose answer was lost (timeout, dropped connection, 5xx) and whose
        /// outcome was then found by querying the orderLinkId.
        case createsResolvedByQuery = "creates_resolved_by_query"
        /// Creations sent again, with the same orderLinkId, after a query showed the venue had
        /// never received the first.
        case createResends = "create_resends"
        /// Post-only orders the venue canceled on arrival because they would have crossed
        /// (EC_PostOnlyWillTakeLiquidity), counted as post-only rejects.
        case postOnlyRejects = "post_only_rejects"
        /// Market-data polls that failed (the previous book was kept).
        case marketDataErrors = "market_data_errors"
        /// Fill polls (/v5/execution/list) that failed (retried on the next poll).
        case fillPollErrors = "fill_poll_errors"
    }

    package struct Snapshot: Sendable, Equatable {
        package var events: [Event: Int] = [:]
        package var errors: [BybitError.Kind: Int] = [:]
        package var filterLookups: [FilterSource: Int] = [:]
        package var filterFetchErrors = 0
        /// `X-Bapi-Limit-Status` of the last answer that had one; nil before the first.
        package var rateLimitRemaining: Int64?
        package var rateLimitLimit: Int64?

        package func count(_ event: Event) -> Int { events[event] ?? 0 }
        package func count(_ kind: BybitError.Kind) -> Int { errors[kind] ?? 0 }
        package func count(_ source: FilterSource) -> Int { filterLookups[source] ?? 0 }
        package var errorsTotal: Int { errors.values.reduce(0, +) }
    }

    private let state = Mutex(Snapshot())

    package init() {}

    package func record(_ event: Event, _ n: Int = 1) { state.withLock { $0.events[event, default: 0] += n } }
    package func record(error kind: BybitError.Kind) { state.withLock { $0.errors[kind, default: 0] += 1 } }
    package func record(filterSource source: FilterSource) { state.withLock { $0.filterLookups[source, default: 0] += 1 } }
    package func recordFilterFetchError() { state.withLock { $0.filterFetchErrors += 1 } }
    package func record(rateLimit: BybitRateLimit) {
        state.withLock {
            $0.rateLimitRemaining = rateLimit.remaining
            $0.rateLimitLimit = rateLimit.limit
        }
    }

    package var snapshot: Snapshot { state.withLock { $0 } }
}

/// Where a symbol's trading rules came from (report `filters`, metric label `source`).
package enum FilterSource: String, Sendable, CaseIterable {
    /// A cached entry younger than the TTL.
    case cached
    /// Fetched from instruments-info just now.
    case fetched
    /// The fetch failed; an expired entry was served.
    case stale
    /// The fetch failed and nothing was cached; the built-in table's rules were served.
    case defaultFallback = "default_fallback"
}
