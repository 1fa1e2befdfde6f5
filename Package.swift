// swift-tools-version:6.2
import PackageDescription

// awp-swift: the Agent Workflow Protocol runtime for Linux.
// Layers import downward only; each C library is imported by exactly one wrapper target.
// There are no SwiftPM package dependencies: the toolchain plus Debian's C libraries only.

let package = Package(
    name: "awp",
    products: [
        .executable(name: "awp", targets: ["awp"]),
        .executable(name: "awp-sandbox", targets: ["awp-sandbox"]),
        .executable(name: "awp-tool-echo", targets: ["awp-tool-echo"]),
        .executable(name: "awp-tool-files", targets: ["awp-tool-files"]),
        .executable(name: "awp-provider-fake", targets: ["awp-provider-fake"]),
        .executable(name: "awp-provider-openai", targets: ["awp-provider-openai"]),
        .executable(name: "awp-provider-anthropic", targets: ["awp-provider-anthropic"]),
        .executable(name: "awp-provider-gemini", targets: ["awp-provider-gemini"]),
        .library(name: "AWPPluginKit", targets: ["AWPPluginKit"]),
        .library(name: "AWPRuntime", targets: ["AWPRuntime"]),
    ],
    targets: [
        // MARK: C and system-library layer (the only place C headers are imported)
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .target(
            name: "CSandbox",
            dependencies: ["CSeccomp"],
            path: "Sandbox/CSandbox",
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Wextra", "-Werror"])]
        ),
        .executableTarget(
            name: "awp-sandbox",
            dependencies: ["CSandbox"],
            path: "Sandbox/awp-sandbox",
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Wextra", "-Werror"])],
            // SwiftPM links every executable against the Swift runtime; the C launcher uses none of it, and
            // loading libswiftCore at every sandbox start costs about a millisecond. No Swift start-up object,
            // the static (so only-if-referenced) standard library, and --as-needed leave libc and libseccomp.
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-nostartfiles", "-Xlinker", "--as-needed"])]
        ),

        // MARK: Swift libraries, bottom-up
        .target(name: "AWPCore"),
        .target(name: "AWPYAML", dependencies: ["CYAML"]),
        .target(name: "AWPWorkflow", dependencies: ["AWPCore", "AWPYAML"]),
        .target(name: "AWPValidator", dependencies: ["AWPCore", "AWPWorkflow"]),
        .target(name: "AWPStore", dependencies: ["AWPCore", "CSQLite"]),
        .target(name: "AWPSandbox", dependencies: ["AWPCore", "CSandbox"]),
        // Plugins: newline-framed pipe I/O shared by the host and the plugin SDK, then each side.
        .target(name: "AWPLineIO"),
        .target(name: "AWPPlugins", dependencies: ["AWPCore", "AWPLineIO"]),
        .target(name: "AWPPluginKit", dependencies: ["AWPCore", "AWPLineIO"]),
        .target(name: "AWPProviderSupport", dependencies: ["AWPCore", "AWPPluginKit"]),
        .target(
            name: "AWPRuntime",
            dependencies: ["AWPCore", "AWPYAML", "AWPWorkflow", "AWPValidator", "AWPStore", "AWPSandbox", "AWPPlugins"]
        ),
        .target(
            name: "AWPCommandLine",
            dependencies: ["AWPCore", "AWPWorkflow", "AWPValidator", "AWPSandbox", "AWPStore", "AWPPlugins", "AWPRuntime"]
        ),
        .executableTarget(name: "awp", dependencies: ["AWPCommandLine"]),

        // MARK: Built-in plugins (executables named awp-<kind>-<name>, found beside `awp`)
        .executableTarget(name: "awp-tool-echo", dependencies: ["AWPPluginKit"], path: "Plugins/echo"),
        .executableTarget(name: "awp-tool-files", dependencies: ["AWPPluginKit"], path: "Plugins/files"),
        .executableTarget(name: "awp-provider-fake", dependencies: ["AWPPluginKit"], path: "Plugins/fake"),
        .executableTarget(name: "awp-provider-openai", dependencies: ["AWPPluginKit", "AWPProviderSupport"], path: "Plugins/openai"),
        .executableTarget(
            name: "awp-provider-anthropic",
            dependencies: ["AWPPluginKit", "AWPProviderSupport"],
            path: "Plugins/anthropic"
        ),
        .executableTarget(name: "awp-provider-gemini", dependencies: ["AWPPluginKit", "AWPProviderSupport"], path: "Plugins/gemini"),

        // MARK: Tests
        .target(name: "AWPTestSupport", dependencies: ["AWPCore"], path: "Tests/AWPTestSupport"),
        .testTarget(name: "AWPCoreTests", dependencies: ["AWPCore", "AWPTestSupport"]),
        .testTarget(name: "AWPYAMLTests", dependencies: ["AWPYAML", "AWPTestSupport"]),
        .testTarget(name: "AWPWorkflowTests", dependencies: ["AWPWorkflow", "AWPTestSupport"]),
        .testTarget(
            name: "AWPPluginsTests",
            dependencies: [
                "AWPPlugins", "AWPPluginKit", "AWPProviderSupport", "AWPTestSupport", "awp-tool-echo", "awp-provider-fake",
                "awp-tool-files", "awp-provider-openai", "awp-provider-anthropic",
                "awp-provider-gemini",
            ]
        ),
        .testTarget(name: "AWPValidatorTests", dependencies: ["AWPValidator", "AWPWorkflow", "AWPTestSupport"]),
        .testTarget(name: "AWPStoreTests", dependencies: ["AWPStore", "AWPTestSupport", "awp-store-writer"]),
        // Writes to a store from a separate process: concurrent writers and kills mid-transaction.
        .executableTarget(name: "awp-store-writer", dependencies: ["AWPCore", "AWPStore"], path: "Tests/AWPStoreWriter"),
        .testTarget(
            name: "AWPSandboxTests",
            dependencies: ["AWPSandbox", "AWPCore", "AWPTestSupport", "awp-sandbox"],
            exclude: ["Probes"]
        ),
        .testTarget(
            name: "AWPRuntimeTests",
            dependencies: ["AWPRuntime", "AWPTestSupport", "awp-sandbox", "awp-provider-fake", "awp-provider-openai", "awp-tool-echo"]
        ),
        .testTarget(
            name: "AWPCommandLineTests",
            dependencies: [
                "AWPCommandLine", "AWPStore", "AWPTestSupport", "awp", "awp-sandbox", "awp-tool-echo", "awp-provider-fake",
            ]
        ),
    ]
)

// House rules for every Swift target (pattern: apple/swift-log, swiftlang/swift-subprocess).
for target in package.targets
where [.regular, .executable, .test].contains(target.type) && !(target.path ?? "").hasPrefix("Sandbox/") {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    settings.append(.enableUpcomingFeature("NonisolatedNonsendingByDefault"))
    target.swiftSettings = settings
}
