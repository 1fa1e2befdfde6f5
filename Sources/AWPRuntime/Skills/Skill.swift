/// A markdown skill: domain knowledge or a procedure that is put into an agent's prompt.
///
/// Skills are documents, not code. The documented structure is `# Name`, `## Purpose`, `## Concepts`,
/// `## Rules` and optionally `## Procedure`, `## Examples`, `## References`, possibly after YAML front
/// matter; none of it is required, and the markdown is kept exactly as written.
public struct Skill: Sendable, Equatable {
    /// How the skill is referred to: a file's stem, a bundle directory's name, or a persisted skill's slug.
    public var name: String
    /// One line for catalogs: the first line under `## Purpose`, else the first paragraph.
    public var purpose: String
    /// The full text (for a bundle, with its reference files appended).
    public var markdown: String

    /// A skill with an explicit purpose line.
    public init(name: String, purpose: String, markdown: String) {
        self.name = name
        self.purpose = purpose
        self.markdown = markdown
    }

    /// A skill whose purpose is taken from `markdown`.
    public init(name: String, markdown: String) {
        self.init(name: name, purpose: Self.purpose(of: markdown), markdown: markdown)
    }

    /// The longest purpose line kept; catalogs list every skill, so each line must stay short.
    static let maximumPurposeLength = 240

    /// The first non-empty line under a `## Purpose` heading, or else the first paragraph of body text
    /// (front matter and headings skipped), joined into one line and shortened.
    static func purpose(of markdown: String) -> String {
        let lines = bodyLines(of: markdown)
        if let heading = lines.firstIndex(where: { isPurposeHeading($0) }) {
            for line in lines[(heading + 1)...] {
                let text = line.trimmingWhitespace
                if text.hasPrefix("#") { break }
                if !text.isEmpty { return shortened(text) }
            }
        }
        var paragraph: [String] = []
        for line in lines {
            let text = line.trimmingWhitespace
            if text.hasPrefix("#") || text.isEmpty {
                if !paragraph.isEmpty { break }
                continue
            }
            paragraph.append(text)
        }
        return shortened(paragraph.joined(separator: " "))
    }

    /// The first heading's text (`# Risk Analysis` → `Risk Analysis`), after any front matter.
    static func firstHeading(of markdown: String) -> String? {
        for line in bodyLines(of: markdown) {
            let text = line.trimmingWhitespace
            guard text.hasPrefix("#") else { continue }
            let title = String(text.drop { $0 == "#" }).trimmingWhitespace
            if !title.isEmpty { return title }
        }
        return nil
    }

    /// The lines after YAML front matter (`---` … `---` or `...` at the very start).
    static func bodyLines(of markdown: String) -> [Substring] {
        let lines = markdown.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        guard lines.first?.trimmingWhitespace == "---" else { return lines }
        for index in lines.indices.dropFirst() {
            let text = lines[index].trimmingWhitespace
            if text == "---" || text == "..." { return Array(lines[(index + 1)...]) }
        }
        return lines  // Unclosed front matter: treat the text as body, as markdown renderers do.
    }

    private static func isPurposeHeading(_ line: Substring) -> Bool {
        let text = line.trimmingWhitespace
        guard text.hasPrefix("##"), !text.hasPrefix("###") else { return false }
        return String(text.dropFirst(2)).trimmingWhitespace.lowercased() == "purpose"
    }

    private static func shortened(_ text: String) -> String {
        guard text.count > maximumPurposeLength else { return text }
        return String(text.prefix(maximumPurposeLength - 1)) + "…"
    }
}

/// Why a skill could not be loaded or persisted.
public struct SkillError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the path or skill.
    public var message: String

    /// An error described by `message`.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

extension StringProtocol {
    /// Without leading and trailing whitespace and newlines.
    var trimmingWhitespace: String {
        guard let start = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let end = lastIndex(where: { !$0.isWhitespace })!
        return String(self[start...end])
    }
}
