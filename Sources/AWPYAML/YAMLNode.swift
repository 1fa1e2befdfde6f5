/// A position in YAML text: 1-based line and column (libyaml's marks are 0-based).
public struct YAMLMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: YAMLMark, rhs: YAMLMark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// One node of a parsed YAML document, with where it starts.
///
/// Aliases are already expanded and merge keys (`<<`) already applied, so consumers see plain
/// scalars, sequences and mappings. Scalars are kept as text: what a scalar *means* (null, bool,
/// int, float or string) depends on what the reader expects there, see `YAMLNode+Resolve.swift`.
public struct YAMLNode: Sendable, Hashable {
    /// The shape of a node.
    public enum Kind: Sendable, Hashable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var kind: Kind
    /// Where the node starts.
    public var mark: YAMLMark
    /// The explicit tag, in full form (`tag:yaml.org,2002:str` for `!!str`), or nil when untagged.
    public var tag: String?

    public init(_ kind: Kind, mark: YAMLMark, tag: String? = nil) {
        self.kind = kind
        self.mark = mark
        self.tag = tag
    }
}

/// A scalar's text and how it was written.
public struct YAMLScalar: Sendable, Hashable {
    /// How a scalar was written: only plain scalars are ever read as anything but a string.
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var text: String
    public var style: Style

    public init(_ text: String, style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// One `key: value` entry of a mapping, in document order.
public struct YAMLPair: Sendable, Hashable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

extension YAMLNode {
    public var scalar: YAMLScalar? {
        if case .scalar(let s) = kind { return s }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    /// The value for a plain-text key in a mapping, or nil.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar?.text == key }?.value
    }
}
