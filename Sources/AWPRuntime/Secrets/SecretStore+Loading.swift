extension SecretStore {
    /// The largest secrets file read; anything bigger is certainly not a list of credentials.
    static let maximumFileBytes = 1 << 20

    /// Loads the secrets for a run, later sources overriding earlier ones.
    ///
    /// 1. The process environment, but **only** the names in `declared` and in `providerKeyNames`.
    /// 2. `<homeDirectory>/.env` (`homeDirectory` is the user's `~/.awp`).
    /// 3. `<workflowDirectory>/.env`.
    /// 4. `<workflowDirectory>/secrets.yaml`, whose `secrets:` values may embed `{{ env.VAR }}`
    ///    (resolved against the secrets merged so far, then the full process environment).
    ///
    /// The reference implementation starts from the *entire* process environment, so every variable of
    /// the user's shell (cloud credentials, tokens, `PATH`) becomes a secret that generated code receives.
    /// This store deliberately does not: an undeclared variable is never a secret, and so can never be
    /// handed to a tool or substituted into a request.
    ///
    /// Missing files are skipped. A secrets file that the group or other users can read adds a line to
    /// `warnings` (the store still loads: refusing would break shared CI images that mount files 0644).
    /// - Throws: `SecretError` with the file and line for a malformed `.env` line, invalid `secrets.yaml`,
    ///   a `{{ env.VAR }}` whose variable is not set, or a file that cannot be read.
    public static func load(
        workflowDirectory: String?,
        homeDirectory: String?,
        environment: [String: String],
        declared: Set<String>
    ) throws(SecretError) -> SecretStore {
        var merged: [String: String] = [:]
        var warnings: [String] = []
        for name in declared.union(providerKeyNames) {
            if let value = environment[name] { merged[name] = value }
        }
        let envFiles = [homeDirectory, workflowDirectory].compactMap { $0.map { joined($0, ".env") } }
        for file in envFiles {
            guard let text = try readSecretsFile(file, warnings: &warnings) else { continue }
            for (key, value) in try DotEnvParser.parse(text, file: file) { merged[key] = value }
        }
        if let workflowDirectory {
            let file = joined(workflowDirectory, "secrets.yaml")
            if let text = try readSecretsFile(file, warnings: &warnings) {
                // Look-ups see the map as it was before this file, so entry order inside it does not matter.
                let before = merged
                let pairs = try SecretsYAMLReader.read(text, file: file) { before[$0] ?? environment[$0] }
                for (key, value) in pairs { merged[key] = value }
            }
        }
        return SecretStore(values: merged, warnings: warnings)
    }

    /// The text of a secrets file, or nil when there is no file at `path`.
    private static func readSecretsFile(_ path: String, warnings: inout [String]) throws(SecretError) -> String? {
        // Links are followed: dotfile managers commonly link ~/.awp/.env into a private repository.
        guard let info = LocalFile.info(path, followLinks: true) else { return nil }
        guard info.kind == .regular else { throw SecretError("not a regular file", file: path) }
        let prefix: LocalFile.Prefix
        do {
            prefix = try LocalFile.readPrefix(path, limit: maximumFileBytes, followLinks: true)
        } catch {
            throw SecretError(error.message)
        }
        guard !prefix.truncated else {
            throw SecretError("larger than \(maximumFileBytes) bytes; not read", file: path)
        }
        guard let text = String(validating: prefix.bytes, as: UTF8.self) else {
            throw SecretError("not UTF-8 text", file: path)
        }
        if info.permissions & 0o044 != 0 {
            let mode = String(info.permissions & 0o777, radix: 8)
            warnings.append("\(path) is readable by other users (mode \(mode)); run `chmod 600 \(path)`")
        }
        return text
    }

    private static func joined(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
