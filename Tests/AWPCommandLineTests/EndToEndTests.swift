import AWPCore
import AWPTestSupport
import Foundation
import Testing

/// Spawns the built `awp` and `awp-sandbox` executables, as users and scripts do.
@Suite struct EndToEndTests {
    struct Output {
        var status: Int32
        var out: String
        var err: String
    }

    static func spawn(
        _ executable: String,
        _ arguments: [String],
        in directory: URL? = nil,
        environment extra: [String: String] = [:]
    ) throws -> Output {
        let process = Process()
        process.executableURL = TestSupport.productsDirectory.appendingPathComponent(executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !extra.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting, so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            out: String(decoding: outData, as: UTF8.self),
            err: String(decoding: errData, as: UTF8.self)
        )
    }

    static let examples = TestSupport.packageRoot.appendingPathComponent("Examples")

    @Test(.timeLimit(.minutes(1)))
    func validateExitsZeroOnAnExampleAndOneOnABrokenCopy() async throws {
        let good = try Self.spawn("awp", ["validate", Self.examples.appendingPathComponent("a0-single-agent").path, "--json"])
        #expect(good.status == 0)
        #expect(try JSONParser.parse(good.out)["valid"] == .bool(true))

        try await TestSupport.withTemporaryDirectory { dir in
            let copy = dir.appendingPathComponent("a0-single-agent")
            try FileManager.default.copyItem(at: Self.examples.appendingPathComponent("a0-single-agent"), to: copy)
            let manifest = copy.appendingPathComponent("workflow.awp.yaml")
            let text = try String(contentsOf: manifest, encoding: .utf8)
            try text.replacingOccurrences(of: "version: \"1.0.0\"", with: "version: 1")
                .write(to: manifest, atomically: true, encoding: .utf8)
            let bad = try Self.spawn("awp", ["validate", copy.path])
            #expect(bad.status == 1)
            #expect(bad.err.contains("workflow.awp.yaml:"))
            #expect(bad.err.contains("error: 'workflow.version' must be a string, got the integer 1"))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func validateDotUsesTheRealDirectoryName() throws {
        let result = try Self.spawn("awp", ["validate", "."], in: Self.examples.appendingPathComponent("a2-delegation-budget"))
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out == "Validation passed for a2-delegation-budget\n")
    }

    @Test(.timeLimit(.minutes(1)))
    func usageErrorsExitSixtyFour() throws {
        #expect(try Self.spawn("awp", []).status == 64)
        #expect(try Self.spawn("awp", ["frobnicate"]).status == 64)
        let version = try Self.spawn("awp", ["--version"])
        #expect(version.status == 0)
        #expect(version.out.hasPrefix("awp "))
    }

    @Test(.timeLimit(.minutes(1)))
    func sandboxLauncherIsBuiltAndLinkedAgainstLibseccomp() throws {
        let result = try Self.spawn("awp-sandbox", ["--version"])
        #expect(result.status == 0)
        #expect(result.out.contains("libseccomp 2."))
        #expect(try Self.spawn("awp-sandbox", ["--", "/bin/true"]).status == 125)
    }
}
