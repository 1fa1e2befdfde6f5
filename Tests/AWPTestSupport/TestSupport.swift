public import Foundation

/// Shared helpers for the test targets: temp directories, built products, the shared corpus.
public enum TestSupport {
    /// Runs `body` with a fresh directory that is removed afterwards, so tests never share state.
    public static func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async rethrows -> T {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("awp-test-\(UUID().uuidString)", isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try await body(url)
    }

    /// The directory holding the built executables (`awp`, `awp-sandbox`, plugins).
    ///
    /// Test bundles are built into the same products directory as the executables they depend on.
    public static var productsDirectory: URL {
        let bundle = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }
        if let bundle { return bundle.bundleURL.deletingLastPathComponent() }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// The package root (the directory holding `Package.swift`), found from this source file.
    public static var packageRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }

    /// `../shared` beside the checkout, or `$AWP_SHARED_DIR`; nil when absent.
    ///
    /// Tests that need the corpus print a notice and record nothing as passed when it is missing.
    public static var sharedDirectory: URL? {
        if let env = ProcessInfo.processInfo.environment["AWP_SHARED_DIR"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        let candidate = packageRoot.deletingLastPathComponent().appendingPathComponent("shared", isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue
        else { return nil }
        return candidate
    }

    /// The directory of the conformance corpus, or nil when `../shared` is absent.
    public static var conformanceDirectory: URL? {
        sharedDirectory?.appendingPathComponent("conformance", isDirectory: true)
    }

    /// Writes `contents` to `relativePath` below `directory`, creating parent directories.
    public static func write(_ contents: String, to relativePath: String, in directory: URL) throws {
        let url = directory.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: url, atomically: true, encoding: .utf8)
    }
}
