// swift-tools-version:6.0
import PackageDescription

// mmbot: one executable over three libraries, no third-party packages.
// Dependency arrows go one way: mmbot → MMBotCLI → MMBotCore → MMBotSupport.
// The shadow loop is single-threaded; dynamic exclusivity checks on its class state cost about a
// fifth of its time (docs/performance.md), so release builds of the engine's targets skip them.
// Debug builds, which the tests use, keep them.
let releaseSpeed: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked", "-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "mmbot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mmbot", targets: ["mmbot"]),
    ],
    targets: [
        .target(name: "MMBotSupport", swiftSettings: releaseSpeed),
        .target(name: "MMBotCore", dependencies: ["MMBotSupport"], swiftSettings: releaseSpeed),
        .target(name: "MMBotCLI", dependencies: ["MMBotCore", "MMBotSupport"]),
        .executableTarget(name: "mmbot", dependencies: ["MMBotCLI"]),
        .testTarget(name: "MMBotSupportTests", dependencies: ["MMBotSupport"]),
        .testTarget(name: "MMBotCoreTests", dependencies: ["MMBotCore", "MMBotSupport"]),
        .testTarget(
            name: "MMBotCLITests",
            dependencies: ["MMBotCLI", "MMBotCore", "MMBotSupport"],
            resources: [.copy("Golden")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
