import Foundation
import MMBotCore
import MMBotSupport

/// The `mmbot` command: picks the subcommand, renders usage errors, returns the exit code.
package enum MMBotCLI {
    package static let rootHelp = """
    USAGE: mmbot <command> [options]

    A market-making execution engine for Bybit, rehearsed in shadow mode.

    COMMANDS:
      exec-demo   Run the engine against the simulated venue and print a JSON report.
      bench       Time the shadow loop (symbol-iterations per second, peak RSS).
      secrets     Store and read exchange credentials (memory, file or AWS Secrets Manager backends).
      exchange-sim  Serve a Bybit v5-compatible API over the simulated venue, for rehearsals and SDK tests.

    Run 'mmbot <command> --help' for a command's options. 'mmbot --version' prints the version.
    EXIT CODES: 0 success, 1 runtime failure, 2 bad input, 3 live mode refused (MM_LIVE_ENABLE is not 1).
    """

    package static func main(_ arguments: [String]) -> ExitCode {
        let args = Array(arguments.dropFirst())
        guard let command = args.first else {
            Platform.writeStderr("mmbot: missing command; expected one of exec-demo, bench, secrets, exchange-sim (see 'mmbot --help')\n")
            return .usage
        }
        let rest = Array(args.dropFirst())
        switch command {
        case "--help", "-h", "help":
            Platform.writeStdout(rootHelp + "\n")
            return .success
        case "--version":
            Platform.writeStdout("mmbot \(MMBotVersion.current)\n")
            return .success
        case "exec-demo":
            if rest.contains("--help") {
                Platform.writeStdout(OptionParser.help(usage: ExecDemoCommand.usage, summary: ExecDemoCommand.summary,
                                                       specs: ExecDemoCommand.specs, footer: ExecDemoCommand.footer))
                return .success
            }
            do {
                let options = try ExecDemoCommand.parse(rest, environment: ProcessInfo.processInfo.environment,
                                                        wallClock: Platform.wallClockMillis)
                return ExecDemoCommand.run(options)
            } catch {
                Platform.writeStderr(error.description + "\n")
                return .usage
            }
        case "bench":
            if rest.contains("--help") {
                Platform.writeStdout(OptionParser.help(usage: "mmbot bench [options]",
                                                       summary: "Times the shadow loop in-process with logging off.",
                                                       specs: BenchCommand.specs))
                return .success
            }
            return BenchCommand.run(rest)
        case "secrets":
            if rest.contains("--help") {
                Platform.writeStdout(OptionParser.help(usage: SecretsCommand.usage, summary: SecretsCommand.summary,
                                                       specs: SecretsCommand.specs, footer: SecretsCommand.footer))
                return .success
            }
            let environment = ProcessInfo.processInfo.environment
            do {
                let invocation = try SecretsCommand.parse(rest, environment: environment, readStdin: SecretsCommand.readAllStdin)
                return SecretsCommand.run(invocation, runtime: SecretsCommand.liveRuntime(environment: environment))
            } catch {
                Platform.writeStderr(error.description + "\n")
                return .usage
            }
        case "exchange-sim":
            if rest.contains("--help") {
                Platform.writeStdout(OptionParser.help(usage: ExchangeSimCommand.usage, summary: ExchangeSimCommand.summary,
                                                       specs: ExchangeSimCommand.specs, footer: ExchangeSimCommand.footer))
                return .success
            }
            do {
                return ExchangeSimCommand.run(try ExchangeSimCommand.parse(rest, environment: ProcessInfo.processInfo.environment))
            } catch {
                Platform.writeStderr(error.description + "\n")
                return .usage
            }
        default:
            Platform.writeStderr("mmbot: unknown command '\(command)'; expected one of exec-demo, bench, secrets, exchange-sim (see 'mmbot --help')\n")
            return .usage
        }
    }
}
