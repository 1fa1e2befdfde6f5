/// Turns a stream of libyaml events into one `YAMLNode` tree, enforcing the parser's limits as it goes.
///
/// Open collections live on an explicit stack rather than in recursive calls, so hostile nesting can only
/// ever hit `maxDepth`, never the thread's stack. Every limit is checked before the node it guards is built.
struct YAMLTreeBuilder {
    /// A finished node plus what the limits need to know about it.
    private struct Built {
        var node: YAMLNode
        /// How many nodes the subtree holds, itself included: what copying it through an alias costs.
        var size: Int
        /// How many collections deep the subtree goes (0 for a scalar).
        var height: Int
    }

    /// A collection whose end event has not arrived yet.
    private struct Frame {
        var isMapping: Bool
        var mark: YAMLMark
        var tag: String?
        var anchor: String?
        /// Items of a sequence, or keys and values alternating for a mapping.
        var children: [YAMLNode] = []
        var size = 1
        var height = 1
    }

    private enum Anchor {
        /// The anchored collection is still open: an alias to it would make the tree recursive.
        case open
        case complete(Built)
    }

    private let limits: YAMLParser.Limits
    private var stack: [Frame] = []
    private var anchors: [String: Anchor] = [:]
    private var nodeCount = 0
    private var documentCount = 0
    private var root: Built?

    init(limits: YAMLParser.Limits) {
        self.limits = limits
    }

    /// The document's root, or nil when the stream had no document or the document had no content.
    var result: YAMLNode? {
        guard let node = root?.node else { return nil }
        // libyaml reports a document without content (`---` alone) as an empty plain scalar.
        if node.tag == nil, let scalar = node.scalar, scalar.style == .plain, scalar.text.isEmpty {
            return nil
        }
        return node
    }

    /// Feeds one event; returns true once the stream has ended.
    mutating func consume(_ event: YAMLEvent) throws(YAMLError) -> Bool {
        switch event {
        case .streamStart, .documentEnd:
            break
        case .streamEnd:
            return true
        case .documentStart(let mark):
            documentCount += 1
            if documentCount > 1 {
                throw YAMLError(
                    .multipleDocuments,
                    "the stream holds more than one document; only one is allowed",
                    at: mark
                )
            }
        case .alias(let name, let mark):
            try expandAlias(name, at: mark)
        case .scalar(let scalar, let tag, let anchor, let mark):
            try count(1, at: mark, throughAlias: false)
            // The non-specific tag `!` only says "not resolved from the text", which for a scalar means a string.
            let fullTag = tag == "!" ? YAMLTag.string : tag
            let built = Built(node: YAMLNode(.scalar(scalar), mark: mark, tag: fullTag), size: 1, height: 0)
            if let anchor {
                anchors[anchor] = .complete(built)
            }
            attach(built)
        case .sequenceStart(let tag, let anchor, let mark):
            try open(isMapping: false, tag: tag, anchor: anchor, at: mark)
        case .mappingStart(let tag, let anchor, let mark):
            try open(isMapping: true, tag: tag, anchor: anchor, at: mark)
        case .sequenceEnd, .mappingEnd:
            try close()
        }
        return false
    }

    private mutating func open(isMapping: Bool, tag: String?, anchor: String?, at mark: YAMLMark) throws(YAMLError) {
        guard stack.count < limits.maxDepth else { throw depthError(at: mark) }
        try count(1, at: mark, throughAlias: false)
        if let anchor {
            anchors[anchor] = .open
        }
        // On a collection `!` adds nothing: sequences and mappings are never resolved from text anyway.
        stack.append(Frame(isMapping: isMapping, mark: mark, tag: tag == "!" ? nil : tag, anchor: anchor))
    }

    private mutating func close() throws(YAMLError) {
        // libyaml never sends an end event without its start, so the stack is not empty here.
        guard let frame = stack.popLast() else { return }
        let kind: YAMLNode.Kind
        if frame.isMapping {
            kind = .mapping(try MappingAssembler.pairs(from: frame.children))
        } else {
            kind = .sequence(frame.children)
        }
        let node = YAMLNode(kind, mark: frame.mark, tag: frame.tag)
        let built = Built(node: node, size: frame.size, height: frame.height)
        if let anchor = frame.anchor {
            anchors[anchor] = .complete(built)
        }
        attach(built)
    }

    private mutating func expandAlias(_ name: String, at mark: YAMLMark) throws(YAMLError) {
        switch anchors[name] {
        case nil:
            throw YAMLError(.undefinedAlias, "alias '*\(name)' refers to no anchor defined before it", at: mark)
        case .open:
            throw YAMLError(
                .undefinedAlias,
                "alias '*\(name)' refers to a collection that contains it; recursive structures are not supported",
                at: mark
            )
        case .complete(let built):
            // A copy placed deeper than its original can break the depth limit even though neither part did.
            guard stack.count + built.height <= limits.maxDepth else { throw depthError(at: mark) }
            try count(built.size, at: mark, throughAlias: true)
            attach(built)
        }
    }

    private mutating func attach(_ built: Built) {
        guard !stack.isEmpty else {
            root = built
            return
        }
        stack[stack.count - 1].children.append(built.node)
        stack[stack.count - 1].size += built.size
        stack[stack.count - 1].height = max(stack[stack.count - 1].height, built.height + 1)
    }

    /// Counts nodes towards `maxNodes`; aliases count every node they copy, which is what defeats
    /// billion-laughs documents long before they cost real time or memory.
    private mutating func count(_ nodes: Int, at mark: YAMLMark, throughAlias: Bool) throws(YAMLError) {
        let (total, overflow) = nodeCount.addingReportingOverflow(nodes)
        nodeCount = total
        guard overflow || total > limits.maxNodes else { return }
        if throughAlias {
            throw YAMLError(
                .aliasLimit,
                "document expands to more than \(limits.maxNodes) nodes through aliases (billion-laughs protection)",
                at: mark
            )
        }
        throw YAMLError(.tooLarge, "document has more than \(limits.maxNodes) nodes", at: mark)
    }

    private func depthError(at mark: YAMLMark) -> YAMLError {
        YAMLError(.depthLimit, "collections nest deeper than \(limits.maxDepth) levels", at: mark)
    }
}
