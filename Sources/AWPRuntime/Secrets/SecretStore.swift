/// The secrets a run may use, by name, kept on the host side.
///
/// Secret values go only where the host puts them explicitly: a tool plugin's environment, a proxy
/// header, a `$NAME` in a source descriptor (`substitute(_:strict:)`). They never go into prompts, the
/// sandbox environment, the store or logs; everything bound for those passes through `redactor` first.
///
/// ```swift
/// let secrets = try SecretStore.load(
///     workflowDirectory: workflow, homeDirectory: awpHome,
///     environment: ProcessInfo.processInfo.environment, declared: ["SERPAPI_KEY"])
/// for warning in secrets.warnings { console.warn(warning) }
/// let header = try secrets.substitute("Bearer ${SERPAPI_KEY}", strict: true)
/// ```
public struct SecretStore: Sendable {
    /// Environment variables that hold LLM provider credentials, taken from the environment without
    /// being declared (a provider plugin needs one to work at all).
    public static let providerKeyNames: [String] = [
        "OPENROUTER_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY",
        "LLM_API_KEY", "GROQ_API_KEY", "TOGETHER_API_KEY", "FIREWORKS_API_KEY", "MISTRAL_API_KEY",
    ]

    private var values: [String: String]

    /// Problems worth telling the user that did not stop loading, such as a secrets file that other
    /// users can read. Empty for stores made with `init(values:)`.
    public var warnings: [String]

    /// A store holding exactly `values`.
    public init(values: [String: String]) {
        self.values = values
        self.warnings = []
    }

    init(values: [String: String], warnings: [String]) {
        self.values = values
        self.warnings = warnings
    }

    /// The secret names, sorted. Names are safe to show (prompts list them for tool authors); values are not.
    public var names: [String] {
        values.keys.sorted()
    }

    /// The value of the secret `name`, or nil when there is none.
    public func value(_ name: String) -> String? {
        values[name]
    }

    /// The secrets among `names` that exist, for handing a tool only what it declared.
    ///
    /// Names without a value are left out rather than mapped to an empty string, so the caller can tell
    /// "not configured" from "configured as empty" and ask the user.
    public func subset(_ names: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for name in names {
            if let value = values[name] { result[name] = value }
        }
        return result
    }

    /// A redactor for every secret in the store.
    public var redactor: SecretRedactor {
        SecretRedactor(secrets: values)
    }

    /// True for `[A-Za-z_][A-Za-z0-9_]*`, the names `$NAME` and `{{ env.NAME }}` can refer to.
    static func isShellName(_ name: some StringProtocol) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isASCIILetter(first) else { return false }
        return name.utf8.dropFirst().allSatisfy { $0 == UInt8(ascii: "_") || isASCIILetter($0) || isASCIIDigit($0) }
    }

    static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    static func isASCIIDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
