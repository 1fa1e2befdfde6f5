/// Why a YAML text could not be turned into a node tree, and where.
///
/// `description` reads like a compiler message: `3:7: mapping values are not allowed here`, with
/// libyaml's context appended in parentheses when it gave one.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The family of a failure, so callers can react without matching message text.
    public enum Kind: Sendable, Hashable {
        /// libyaml's scanner or parser rejected the text.
        case syntax
        /// A mapping names the same key twice.
        case duplicateKey
        /// An alias (`*name`) refers to no anchor defined before it.
        case undefinedAlias
        /// Alias expansion would produce more nodes than allowed (billion-laughs protection).
        case aliasLimit
        /// Collections nest deeper than allowed.
        case depthLimit
        /// A merge key (`<<`) has a value that is not a mapping or a sequence of mappings.
        case invalidMerge
        /// The bytes are not UTF-8 text (libyaml's reader errors).
        case invalidEncoding
        /// The input or the tree built from it exceeds a size limit.
        case tooLarge
        /// The stream holds more than one document.
        case multipleDocuments
    }

    /// What went wrong, for callers to branch on.
    public var kind: Kind
    /// What went wrong, in words, with libyaml's context appended for syntax errors.
    public var message: String
    /// Where the problem is (1-based), when known.
    public var mark: YAMLMark?

    /// An error of `kind`, described by `message`, found at `mark` when that is known.
    public init(_ kind: Kind, _ message: String, at mark: YAMLMark? = nil) {
        self.kind = kind
        self.message = message
        self.mark = mark
    }

    /// `line:column: message`, or just the message when there is no position.
    public var description: String {
        guard let mark else { return message }
        return "\(mark): \(message)"
    }
}
