/// What a scalar means, decided the way PyYAML's `SafeLoader` (YAML 1.1) decides it.
///
/// Workflows were written for a Python reference implementation, so `on: yes` must read as two booleans
/// and `version: 1e3` as a string, exactly as PyYAML reads them. Only plain scalars are resolved from their
/// text; quoted and block scalars are strings. An explicit standard tag (`!!str`, `!!int`, `!!bool`,
/// `!!float`, `!!null`) decides the type regardless of style; when the text does not fit that type, the
/// typed accessor returns nil where PyYAML would have raised.
extension YAMLNode {
    /// The kinds of value a scalar can resolve to.
    public enum ImplicitType: Sendable, Hashable {
        case null, bool, int, float, string
    }

    /// The type PyYAML would construct for this scalar; nil for sequences and mappings.
    public var implicitType: ImplicitType? {
        guard let scalar else { return nil }
        if let tag {
            switch tag {
            case YAMLTag.null: return .null
            case YAMLTag.bool: return .bool
            case YAMLTag.int: return .int
            case YAMLTag.float: return .float
            // Other tags (`!!str`, `!!timestamp`, local `!tags`) carry their text unchanged.
            default: return .string
            }
        }
        guard scalar.style == .plain else { return .string }
        return PyYAMLScalarGrammar.implicitType(of: scalar.text)
    }

    /// True for a null scalar: plain `~`, `null`, `Null`, `NULL`, an empty plain scalar, or anything `!!null`.
    public var isNull: Bool {
        implicitType == .null
    }

    /// The boolean, for scalars that resolve to one (`yes`, `On`, `FALSE`, …; never `y` or `n`).
    public var boolValue: Bool? {
        guard implicitType == .bool, let text = scalar?.text else { return nil }
        // Implicit resolution already matched the exact spellings; `!!bool` accepts any case, as PyYAML does.
        return PyYAMLScalarGrammar.bool(text)
    }

    /// The integer, for scalars that resolve to one (binary, octal `010`, decimal, hex, base 60); nil on overflow.
    public var intValue: Int? {
        guard implicitType == .int, let text = scalar?.text else { return nil }
        return PyYAMLScalarGrammar.int(text)
    }

    /// The number, for scalars that resolve to a float or an integer (`1.0`, `.inf`, `3`); `1e3` is a string.
    public var doubleValue: Double? {
        guard let text = scalar?.text else { return nil }
        switch implicitType {
        case .float: return PyYAMLScalarGrammar.float(text)
        case .int: return PyYAMLScalarGrammar.int(text).map(Double.init) ?? PyYAMLScalarGrammar.largeDecimal(text)
        default: return nil
        }
    }

    /// The scalar's text whatever its style or resolved type; nil for sequences and mappings.
    public var stringValue: String? {
        scalar?.text
    }
}
