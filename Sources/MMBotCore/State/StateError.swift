import MMBotSupport

/// Why durable state could not be opened, read or written. Every case is a runtime failure
/// (exit 1) whose text says what happened and what the operator can do.
package enum StateError: Error, Sendable, CustomStringConvertible, Equatable {
    /// `--recover` found nothing to recover.
    case noState(directory: String)
    /// A fresh (non-recover) start found open orders left by an earlier run.
    case openOrdersLeft(directory: String, count: Int)
    /// Another process holds the state directory.
    case locked(directory: String, holder: String)
    /// A snapshot line, a journal line before the last one, or a Redis value is not valid.
    case corrupt(file: String, line: Int, reason: String)
    /// The disk refused a read or write.
    case io(String)
    /// Redis could not be reached or refused a command.
    case redis(String)

    package var description: String {
        switch self {
        case .noState(let directory):
            return "--recover found no durable state in \(directory) (no sessions.json); run without --recover for a fresh start"
        case .openOrdersLeft(let directory, let count):
            return "\(directory) holds \(count) open order(s) from an earlier run that did not shut down cleanly; "
                + "pass --recover to reconcile them with the venue (--on-recover cancel|adopt), or move the directory away for a fresh start"
        case .locked(let directory, let holder):
            return "the state directory \(directory) is in use by another mmbot process"
                + (holder.isEmpty ? "" : " (\(holder))") + "; stop it first, or give this run its own --state-dir"
        case .corrupt(let file, let line, let reason):
            let place = line > 0 ? "\(file) line \(line)" : file
            return "durable state is corrupt at \(place): \(reason); nothing was changed. "
                + "Inspect or restore that file (RUNBOOK_SHADOW.md, section Durable state and recovery), or move the state directory away for a fresh start"
        case .io(let message):
            return "durable state I/O failed: \(message)"
        case .redis(let message):
            return message
        }
    }
}
