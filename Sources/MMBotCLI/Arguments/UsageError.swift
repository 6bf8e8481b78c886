/// Bad input on the command line or in the environment: exit 2, one line, nothing run.
package struct UsageError: Error, Sendable, CustomStringConvertible {
    /// The command the error belongs to, e.g. "mmbot exec-demo".
    package let command: String
    package let message: String

    package init(_ command: String, _ message: String) {
        self.command = command
        self.message = message
    }

    package var description: String { "\(command): \(message) (see '\(command) --help')" }
}
