/// The scalar formats AWP 1.0 defines (digest §B.1), checked the way the reference checks them.
public enum AWPFormat {
    /// `MAJOR.MINOR.PATCH` with optional `-pre` and `+build`, no `v` prefix.
    ///
    /// Like the reference, leading zeros are accepted (`01.0.0`); SemVer 2.0.0 forbids them, so
    /// `semVerWarning` reports them separately.
    public static func isSemVer(_ text: String) -> Bool {
        var rest = Substring(text)
        for index in 0..<3 {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return false }
            rest = rest.dropFirst(digits.count)
            if index < 2 {
                guard rest.first == "." else { return false }
                rest = rest.dropFirst()
            }
        }
        if rest.first == "-" {
            rest = rest.dropFirst()
            let part = rest.prefix { $0 != "+" }
            guard !part.isEmpty, part.allSatisfy(isIdentifierCharacter) else { return false }
            rest = rest.dropFirst(part.count)
        }
        if rest.first == "+" {
            rest = rest.dropFirst()
            guard !rest.isEmpty, rest.allSatisfy(isIdentifierCharacter) else { return false }
            rest = rest.dropFirst(rest.count)
        }
        return rest.isEmpty
    }

    /// A note for versions the reference accepts but SemVer 2.0.0 does not (leading zeros).
    public static func semVerWarning(_ text: String) -> String? {
        let core = text.prefix { $0 != "-" && $0 != "+" }
        let parts = core.split(separator: ".")
        guard parts.contains(where: { $0.count > 1 && $0.first == "0" }) else { return nil }
        return "version '\(text)' has a leading zero, which SemVer 2.0.0 forbids"
    }

    /// snake_case agent ids: one lowercase letter, or `^[a-z][a-z0-9_]{0,46}[a-z0-9]$`.
    public static func isAgentID(_ text: String) -> Bool {
        isName(text, maxLength: 48, allowsHyphen: false)
    }

    /// Workflow names: one lowercase letter, or `^[a-z][a-z0-9_-]{0,62}[a-z0-9]$`.
    public static func isWorkflowName(_ text: String) -> Bool {
        isName(text, maxLength: 64, allowsHyphen: true)
    }

    /// Tool namespaces that custom tools may not claim (rule R15, R25).
    public static let reservedToolNamespaces: Set<String> = [
        "web", "http", "file", "shell", "terminal", "agent", "memory", "arithmetic", "numpy", "matplot", "pandas",
        "doc", "sklearn",
    ]

    private static func isName(_ text: String, maxLength: Int, allowsHyphen: Bool) -> Bool {
        let chars = Array(text)
        guard let first = chars.first, isLower(first), chars.count <= maxLength else { return false }
        if chars.count == 1 { return true }
        guard let last = chars.last, isLower(last) || isDigit(last) else { return false }
        return chars.allSatisfy { isLower($0) || isDigit($0) || $0 == "_" || (allowsHyphen && $0 == "-") }
    }

    private static func isLower(_ c: Character) -> Bool { c >= "a" && c <= "z" }
    private static func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" }
    private static func isIdentifierCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == ".")
    }
}
