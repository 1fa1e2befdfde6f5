internal import AWPYAML
internal import Foundation

/// Resolves `{{dotted.path}}` templates in a manifest before it is read (digest §B.2).
///
/// The context for a manifest is `{workflow: <raw workflow section>, settings: <workflow.settings>}`.
/// A scalar that is exactly one template takes the referenced node whole, so its type is kept;
/// templates inside longer text are replaced by the referenced scalar's text; templates that do
/// not resolve are left as written.
struct TemplateResolver {
    private let context: [String: YAMLNode]

    init(manifest root: YAMLNode) {
        var context: [String: YAMLNode] = [:]
        if let workflow = root["workflow"] {
            context["workflow"] = workflow
            if let settings = workflow["settings"] { context["settings"] = settings }
        }
        self.context = context
    }

    func resolve(_ node: YAMLNode) -> YAMLNode {
        guard !context.isEmpty else { return node }
        switch node.kind {
        case .sequence(let items):
            return YAMLNode(.sequence(items.map(resolve)), mark: node.mark, tag: node.tag)
        case .mapping(let pairs):
            return YAMLNode(
                .mapping(pairs.map { YAMLPair(key: $0.key, value: resolve($0.value)) }),
                mark: node.mark,
                tag: node.tag
            )
        case .scalar(let scalar):
            guard scalar.text.contains("{{") else { return node }
            return resolveScalar(scalar, node: node)
        }
    }

    private func resolveScalar(_ scalar: YAMLScalar, node: YAMLNode) -> YAMLNode {
        let segments = Self.split(scalar.text)
        if segments.count == 1, case .template(let path) = segments[0], let target = lookup(path) {
            var replaced = target
            replaced.mark = node.mark
            return replaced
        }
        var text = ""
        for segment in segments {
            switch segment {
            case .text(let literal): text += literal
            case .template(let path):
                if let value = lookup(path)?.scalar?.text {
                    text += value
                } else {
                    text += "{{\(path)}}"
                }
            }
        }
        return YAMLNode(.scalar(YAMLScalar(text, style: scalar.style)), mark: node.mark, tag: node.tag)
    }

    private func lookup(_ path: String) -> YAMLNode? {
        let parts = path.split(separator: ".").map(String.init)
        guard let first = parts.first, var current = context[first] else { return nil }
        for part in parts.dropFirst() {
            guard let next = current[part] else { return nil }
            current = next
        }
        return current
    }

    enum Segment: Equatable {
        case text(String)
        case template(String)
    }

    /// Splits text into literal parts and `{{ path }}` templates (whitespace inside braces is ignored).
    static func split(_ text: String) -> [Segment] {
        var segments: [Segment] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let path = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !rest[..<open.lowerBound].isEmpty { segments.append(.text(String(rest[..<open.lowerBound]))) }
            if path.isEmpty || path.contains(where: { $0 == " " || $0 == "{" }) {
                segments.append(.text(String(rest[open.lowerBound..<close.upperBound])))
            } else {
                segments.append(.template(path))
            }
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { segments.append(.text(String(rest))) }
        return segments
    }
}
