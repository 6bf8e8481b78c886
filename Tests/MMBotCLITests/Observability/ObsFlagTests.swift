import Foundation
import Testing
import MMBotSupport

/// exec-demo's --obs flags as a user meets them: help, bad values, a taken port.
@Suite struct ObsFlagTests {
    @Test func helpDocumentsEachFlagWithItsDefault() throws {
        let r = try ObsProcess.run(ObsPaths.mmbot, ["exec-demo", "--help"])
        #expect(r.code == 0)
        for (flag, value) in [("--obs ", "off"), ("--obs-host HOST", "127.0.0.1"), ("--obs-port PORT", "8080"), ("--obs-linger-s SECONDS", "0")] {
            let line = r.stdout.split(separator: "\n").first { $0.contains(flag) }
            #expect(line?.contains("(default: \(value))") == true, "\(flag): \(line ?? "missing")")
        }
    }

    @Test(arguments: [
        (["--obs", "--obs-port", "70000"], "--obs-port must be a whole number from 0 to 65535, got '70000'"),
        (["--obs", "--obs-port", "http"], "--obs-port must be a whole number from 0 to 65535, got 'http'"),
        (["--obs", "--obs-host", "example.com"], "--obs-host must be an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1) or localhost, got 'example.com'"),
        (["--obs", "--obs-linger-s", "-1"], "--obs-linger-s must be a whole number from 0 to 86400, got '-1'"),
        (["--obs-port", "9000"], "--obs-port has no effect without --obs; add --obs to serve the endpoints or drop --obs-port"),
        (["--obs-linger-s", "5"], "--obs-linger-s has no effect without --obs; add --obs to serve the endpoints or drop --obs-linger-s"),
    ])
    func badValuesExit2WithOneLine(arguments: [String], message: String) throws {
        let r = try ObsProcess.run(ObsPaths.mmbot, ["exec-demo", "--shadow", "--iterations", "5"] + arguments)
        #expect(r.code == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == "mmbot exec-demo: \(message) (see 'mmbot exec-demo --help')\n")
    }

    @Test func aTakenPortExits1BeforeRunning() throws {
        let holder = try HTTPServer(host: .ipv4("127.0.0.1"), port: 0, router: HTTPRouter())
        defer { holder.stop() }
        let r = try ObsProcess.run(ObsPaths.mmbot, ["exec-demo", "--shadow", "--iterations", "5", "--obs", "--obs-port", "\(holder.port)"])
        #expect(r.code == 1)
        #expect(r.stdout.isEmpty, "no report when the run never started")
        #expect(r.stderr.hasSuffix("mmbot exec-demo: --obs: cannot listen on 127.0.0.1:\(holder.port): the address is already in use (another process has that port); choose another --obs-port, or 0 for any free port\n"))
    }

    @Test func withoutObsNothingListensAndTheReportIsUnchanged() throws {
        let plain = try ObsProcess.run(ObsPaths.mmbot, ["exec-demo", "--shadow", "--iterations", "30"], environment: frozenUTC)
        let observed = try ObsProcess.run(ObsPaths.mmbot, ["exec-demo", "--shadow", "--iterations", "30", "--obs", "--obs-port", "0"],
                                          environment: frozenUTC)
        #expect(plain.code == 0 && observed.code == 0)
        #expect(!plain.stderr.contains("obs_server_listening"))
        #expect(observed.stderr.contains("obs_server_listening"))
        #expect(plain.stdout == observed.stdout, "observing a run does not change its report")
    }
}
