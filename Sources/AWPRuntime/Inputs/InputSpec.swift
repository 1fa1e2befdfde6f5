/// One input the user hands a run: a key (how prompts and tools name it) and a host path.
///
/// Written on the command line as `KEY=PATH`, e.g. `--input sales=~/data/q3.csv`.
public struct InputSpec: Sendable, Equatable {
    /// The name the workspace copy is given; `[A-Za-z_][A-Za-z0-9_.-]*`, so it is always a safe file name.
    public var key: String
    /// The file or directory on the host to copy in.
    public var path: String

    /// An input named `key` taken from `path`; `key` is checked when the input is prepared.
    public init(key: String, path: String) {
        self.key = key
        self.path = path
    }

    /// Parses `KEY=PATH`, splitting at the first `=` (paths may contain `=`, keys may not).
    /// - Throws: `InputError` when there is no `=`, the key is not `[A-Za-z_][A-Za-z0-9_.-]*`, or the path is empty.
    public init(parsing argument: String) throws(InputError) {
        guard let equals = argument.firstIndex(of: "=") else {
            throw InputError("input '\(argument)' must be written KEY=PATH")
        }
        let key = String(argument[..<equals])
        let path = String(argument[argument.index(after: equals)...])
        try Self.validate(key: key)
        guard !path.isEmpty else { throw InputError("input '\(key)' has an empty path") }
        self.init(key: key, path: path)
    }

    /// Checks a key against `[A-Za-z_][A-Za-z0-9_.-]*`.
    ///
    /// The key becomes a file name inside `inputs/`, so the pattern leaves out `/`, a leading `.` (which
    /// could spell `..`) and anything a shell or a prompt would need to quote.
    static func validate(key: String) throws(InputError) {
        let bytes = Array(key.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "_") || SecretStore.isASCIILetter(first) else {
            throw InputError("input key '\(key)' must start with a letter or '_'")
        }
        let allowed = bytes.dropFirst().allSatisfy {
            SecretStore.isASCIILetter($0) || SecretStore.isASCIIDigit($0)
                || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
        guard allowed else { throw InputError("input key '\(key)' may only contain letters, digits, '_', '.' and '-'") }
        guard bytes.count <= 128 else { throw InputError("input key '\(key.prefix(32))…' is longer than 128 characters") }
    }
}

/// Why inputs could not be prepared.
public struct InputError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the input and, for files inside a directory input, the relative path.
    public var message: String

    /// An error described by `message`.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
