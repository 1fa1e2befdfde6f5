/// Turns a mapping's parsed keys and values into its final pairs: merge keys applied, duplicates rejected.
///
/// Merging follows PyYAML (`flatten_mapping`), because workflows were written against a Python reference:
/// merged pairs come first, keys written explicitly in the mapping override them wherever they appear, and
/// within one `<<: [a, b]` the earlier mapping wins. Only explicitly written keys can be duplicates: a key
/// that a merge brought in and the mapping then overrides is the whole point of merging.
enum MappingAssembler {
    /// `children` alternates key, value, key, value in document order.
    static func pairs(from children: [YAMLNode]) throws(YAMLError) -> [YAMLPair] {
        var merged: [YAMLPair] = []
        var explicit: [YAMLPair] = []
        var firstMarks: [KeyShape: YAMLMark] = [:]
        var index = 0
        while index + 1 < children.count {
            let key = children[index]
            let value = children[index + 1]
            index += 2
            if isMergeKey(key) {
                merged += try mergedPairs(from: value)
                continue
            }
            let shape = KeyShape(key)
            if let first = firstMarks[shape] {
                throw YAMLError(
                    .duplicateKey,
                    "duplicate key \(describe(key)) (first defined at line \(first.line))",
                    at: key.mark
                )
            }
            firstMarks[shape] = key.mark
            explicit.append(YAMLPair(key: key, value: value))
        }
        guard !merged.isEmpty else { return explicit }

        // Like a Python dict filled with merged pairs and then explicit ones: a later pair replaces an earlier
        // one with the same key but keeps its position. The winner's own key is kept so marks point at it.
        var result: [YAMLPair] = []
        var positions: [KeyShape: Int] = [:]
        result.reserveCapacity(merged.count + explicit.count)
        for pair in merged + explicit {
            let shape = KeyShape(pair.key)
            if let position = positions[shape] {
                result[position] = pair
            } else {
                positions[shape] = result.count
                result.append(pair)
            }
        }
        return result
    }

    /// A plain `<<` (the YAML 1.1 merge key type) or anything explicitly tagged `!!merge`.
    ///
    /// A quoted `"<<"` or `!!str <<` is an ordinary key, as in PyYAML.
    static func isMergeKey(_ key: YAMLNode) -> Bool {
        if key.tag == YAMLTag.merge { return true }
        guard key.tag == nil, let scalar = key.scalar else { return false }
        return scalar.style == .plain && scalar.text == "<<"
    }

    /// The pairs a merge key's value contributes, in the order that makes the earliest mapping win.
    private static func mergedPairs(from value: YAMLNode) throws(YAMLError) -> [YAMLPair] {
        switch value.kind {
        case .mapping(let pairs):
            return pairs
        case .sequence(let items):
            var result: [YAMLPair] = []
            // Reversed, so that when later pairs replace earlier ones the first mapping listed wins.
            for item in items.reversed() {
                guard let pairs = item.mapping else {
                    throw YAMLError(
                        .invalidMerge,
                        "a merge key ('<<') list may only hold mappings, but this item is \(kindName(item))",
                        at: item.mark
                    )
                }
                result += pairs
            }
            return result
        case .scalar:
            throw YAMLError(
                .invalidMerge,
                "the value of a merge key ('<<') must be a mapping or a list of mappings, not \(kindName(value))",
                at: value.mark
            )
        }
    }

    private static func kindName(_ node: YAMLNode) -> String {
        switch node.kind {
        case .scalar: "a scalar"
        case .sequence: "a sequence"
        case .mapping: "a mapping"
        }
    }

    /// How a key is named in messages: its text in quotes, shortened, or what kind of collection it is.
    private static func describe(_ key: YAMLNode) -> String {
        guard let text = key.scalar?.text else { return "(\(kindName(key)))" }
        let limit = 60
        if text.count > limit {
            return "'\(text.prefix(limit))…'"
        }
        return "'\(text)'"
    }
}

/// What makes two keys the same key: scalars by their text alone, collections by their structure.
///
/// Marks, tags and scalar styles are ignored, and a mapping's entries are compared as a set. Building one
/// recurses, but only as deep as the key itself, which the depth limit bounds.
indirect enum KeyShape: Hashable {
    case scalar(String)
    case sequence([KeyShape])
    case mapping(Set<Entry>)

    struct Entry: Hashable {
        var key: KeyShape
        var value: KeyShape
    }

    init(_ node: YAMLNode) {
        switch node.kind {
        case .scalar(let scalar):
            self = .scalar(scalar.text)
        case .sequence(let items):
            self = .sequence(items.map(KeyShape.init))
        case .mapping(let pairs):
            self = .mapping(Set(pairs.map { Entry(key: KeyShape($0.key), value: KeyShape($0.value)) }))
        }
    }
}
