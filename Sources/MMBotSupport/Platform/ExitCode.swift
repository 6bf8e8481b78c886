/// The process exit codes mmbot documents (README "Exit codes").
package enum ExitCode: Int32, Sendable {
    /// The command did what it was asked.
    case success = 0
    /// A runtime failure: the command was valid but could not be carried out.
    case failure = 1
    /// A usage error: unknown flag, missing or out-of-range value. Nothing was run.
    case usage = 2
    /// Live trading was requested without the operator's dual consent (MM_LIVE_ENABLE=1).
    case liveRefused = 3
}
