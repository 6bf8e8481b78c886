import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT/SIGTERM: cancel open orders (reason shutdown), print the report, exit 0.
@Suite(.serialized) struct SignalTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func signalStopsARealtimeRunCleanly(_ signal: Int32) throws {
        let (process, out, err) = try BinaryRunner.start(["exec-demo", "--shadow", "--pace", "realtime", "--tick-ms", "50",
                                                          "--iterations", "100000", "--fill-rate", "0"])
        // Let it run a few ticks so it has open orders.
        Thread.sleep(forTimeInterval: 0.6)
        kill(process.processIdentifier, signal)
        let result = BinaryRunner.finish(process, out, err)
        #expect(result.status == 0)
        let report = try BinaryRunner.json(result.stdout)
        #expect(report.bool("execution.interrupted") == true)
        #expect((report.at("execution.stop_signal") as? String) == (signal == SIGTERM ? "SIGTERM" : "SIGINT"))
        let iterations = report.int("execution.iterations")
        #expect(iterations > 0 && iterations < 100_000)
        #expect(report.int("orders.open") == 0)
        #expect(report.int("orders.canceled_by_reason.shutdown") > 0)
        #expect(report.int("execution.duration_ms") == iterations * 50)
    }
}
