internal import AWPCore

extension SkillLoader {
    /// Saves a markdown skill a manager forwarded (or a worker created) as
    /// `<workspace>/skills/<slug-of-first-heading>.md`, replacing an earlier version, and returns it.
    ///
    /// The slug is the first heading (after any front matter) in lower case with every run of other
    /// characters turned into `-` (`# Risk Analysis: EU` → `risk-analysis-eu`); without a heading the
    /// first line is used. The returned skill's name is that slug, which is what later prompts and
    /// `resolve(_:in:)` refer to.
    ///
    /// Unlike the reference, which drops every forwarded string under 30 words at parse time, a short
    /// string is not lost: when it names a known skill, `resolve(_:in:)` returns that skill, so only
    /// markdown needs to come here.
    ///
    /// The workspace is writable from the sandbox, so `skills/` being a symlink is refused and the file
    /// is replaced by rename, which never writes through a link planted at the target name.
    /// - Throws: `SkillError` for empty text, text over 256 KiB, or a file that cannot be written.
    public static func persist(markdown: String, workspace: String) throws(SkillError) -> Skill {
        guard !markdown.trimmingWhitespace.isEmpty else { throw SkillError("cannot persist an empty skill") }
        guard markdown.utf8.count <= maximumSkillBytes else {
            throw SkillError("skill is larger than \(maximumSkillBytes) bytes; not persisted")
        }
        let title = Skill.firstHeading(of: markdown)
            ?? Skill.bodyLines(of: markdown).lazy.map(\.trimmingWhitespace).first { !$0.isEmpty } ?? ""
        let name = slug(title)
        let directory = workspace + "/skills"
        switch LocalFile.info(directory)?.kind {
        case nil:
            do {
                try LocalFile.makeDirectory(directory)
            } catch {
                throw SkillError(error.message)
            }
        case .directory:
            break
        default:
            throw SkillError("\(directory) is not a directory; refusing to write the skill")
        }
        do {
            try LocalFile.writeAtomically(Array(markdown.utf8), to: directory + "/" + name + ".md")
        } catch {
            throw SkillError(error.message)
        }
        return Skill(name: name, markdown: markdown)
    }

    /// The skill that `reference` names, or nil: for forwarded strings such as `risk-analysis`,
    /// `Risk Analysis` or `risk_analysis.md`.
    ///
    /// Tries an exact name, then a case-insensitive one, then equal slugs (so spaces, underscores and
    /// hyphens are interchangeable). Multi-line text is never a reference.
    public static func resolve(_ reference: String, in skills: [Skill]) -> Skill? {
        var text = reference.trimmingWhitespace
        guard !text.isEmpty, !text.contains(where: \.isNewline) else { return nil }
        if isMarkdown(text) { text = stem(of: text) }
        if let exact = skills.first(where: { $0.name == text }) { return exact }
        let lowered = text.lowercased()
        if let caseless = skills.first(where: { $0.name.lowercased() == lowered }) { return caseless }
        let wanted = slug(text)
        return skills.first { slug($0.name) == wanted }
    }

    /// A file-name-safe name: ASCII letters and digits in lower case, other runs as `-`, at most 64
    /// characters; text with no such characters (a title in another script) gets `skill-` and a hash.
    static func slug(_ text: String) -> String {
        var output: [UInt8] = []
        var pendingDash = false
        for byte in text.utf8 {
            if SecretStore.isASCIILetter(byte) || SecretStore.isASCIIDigit(byte) {
                if pendingDash && !output.isEmpty { output.append(UInt8(ascii: "-")) }
                pendingDash = false
                output.append(byte | (SecretStore.isASCIILetter(byte) ? 0x20 : 0))
            } else {
                pendingDash = true
            }
        }
        if output.count > 64 {
            output.removeSubrange(64...)
            while output.last == UInt8(ascii: "-") { output.removeLast() }
        }
        guard !output.isEmpty else { return "skill-" + String(SHA256.hexDigest(of: text).prefix(12)) }
        return String(decoding: output, as: UTF8.self)
    }
}
