// swift-tools-version:6.0
import PackageDescription

// mmbot: one executable over three libraries, no third-party packages.
// Dependency arrows go one way: mmbot → MMBotCLI → MMBotCore → MMBotSupport.
let package = Package(
    name: "mmbot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mmbot", targets: ["mmbot"]),
    ],
    targets: [
        .target(name: "MMBotSupport"),
        .target(name: "MMBotCore", dependencies: ["MMBotSupport"]),
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
