/// Finds, reads, persists and lists markdown skills.
///
/// Skill files are put into prompts verbatim, and prompts go to a model provider. So inside skill
/// directories symlinks are never followed: a downloaded workflow with `skills/notes.md -> ~/.ssh/id_rsa`
/// must not send the key along. Only a path the user names directly (`load(path:)`) may be a link.
public enum SkillLoader {
    /// The most text one skill may bring into a prompt, bundled references included.
    public static let maximumSkillBytes = 256 << 10

    /// Loads the skills at `path`.
    ///
    /// - A `.md` file is one skill named after the file's stem.
    /// - A directory holding `SKILL.md` is one skill named after the directory; text files under its
    ///   `references/` and `examples/` folders are appended under `## References`.
    /// - Any other directory is searched one level deep for such files and directories.
    ///
    /// A skill larger than 256 KiB is cut at a line boundary with a note saying so.
    /// - Throws: `SkillError` when the path does not exist, is an archive (`.zip`/`.skill` bundles are
    ///   not supported; unpack them first), is neither markdown nor a directory, or holds no skills.
    public static func load(path: String) throws(SkillError) -> [Skill] {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let info = LocalFile.info(trimmed, followLinks: true) else { throw SkillError("\(path): no such file or directory") }
        let name = lastComponent(trimmed)
        switch info.kind {
        case .regular:
            let fileExtension = InputDescriber.extensionOf(name)
            if fileExtension == "zip" || fileExtension == "skill" {
                throw SkillError("\(path): skill archives are not supported; unpack the archive and load its directory")
            }
            guard isMarkdown(name) else { throw SkillError("\(path): a skill is a .md file or a directory with SKILL.md") }
            do {
                return [Skill(name: stem(of: name), markdown: try readText(trimmed, followLinks: true))]
            } catch {
                throw SkillError(error.message)
            }
        case .directory:
            if let bundle = bundle(at: trimmed, name: name) { return [bundle] }
            let skills = skills(in: trimmed)
            guard !skills.isEmpty else { throw SkillError("\(path): no .md files or SKILL.md directories found") }
            return skills
        case .symlink, .other:
            throw SkillError("\(path): not a file or directory")
        }
    }

    /// The workflow's own skills, sorted by name: `<workflow>/skills/<dir>/SKILL.md` bundles, loose
    /// `<workflow>/skills/*.md` files, and, when `agentDirectory` is given, every `.md` file under
    /// `<agent>/workflow/skills/` at any depth (a folder there holding `SKILL.md` is read as one bundle).
    ///
    /// Unreadable or missing files are skipped: a workflow without skills is normal, and validation
    /// reports broken files with better context than a prompt builder could.
    public static func workflowSkills(workflowDirectory: String, agentDirectory: String?) -> [Skill] {
        var found = skills(in: workflowDirectory + "/skills")
        if let agentDirectory {
            // Agent skills sort after same-named workflow skills: the stable sort keeps this order.
            found += agentSkills(in: agentDirectory + "/workflow/skills")
        }
        return found.enumerated().sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }.map(\.element)
    }

    /// `## Available Skills` with one `- name — purpose` line per skill; empty when there are none.
    public static func catalog(_ skills: [Skill]) -> String {
        guard !skills.isEmpty else { return "" }
        let lines = skills.map { skill in
            let purpose = skill.purpose.replacingAll("\n", with: " ")
            return purpose.isEmpty ? "- \(skill.name)" : "- \(skill.name) — \(purpose)"
        }
        return "## Available Skills\n\n" + lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Layouts

    /// `.md` files and `SKILL.md` directories directly inside `directory`, in name order.
    static func skills(in directory: String) -> [Skill] {
        guard LocalFile.info(directory, followLinks: true)?.kind == .directory,
            let names = try? LocalFile.names(in: directory)
        else { return [] }
        var skills: [Skill] = []
        for name in names where !name.hasPrefix(".") {
            let path = directory + "/" + name
            switch LocalFile.info(path)?.kind {
            case .regular where isMarkdown(name):
                if let text = try? readText(path, followLinks: false) { skills.append(Skill(name: stem(of: name), markdown: text)) }
            case .directory:
                if let bundle = bundle(at: path, name: name) { skills.append(bundle) }
            default:
                continue
            }
        }
        return skills
    }

    /// Every `.md` file below `directory`, each a skill named by its stem, except that a folder holding
    /// `SKILL.md` is one bundle named after the folder.
    private static func agentSkills(in directory: String) -> [Skill] {
        guard let names = try? LocalFile.names(in: directory) else { return [] }
        var skills: [Skill] = []
        for name in names where !name.hasPrefix(".") {
            let path = directory + "/" + name
            switch LocalFile.info(path)?.kind {
            case .regular where isMarkdown(name):
                if let text = try? readText(path, followLinks: false) { skills.append(Skill(name: stem(of: name), markdown: text)) }
            case .directory:
                if let bundle = bundle(at: path, name: name) {
                    skills.append(bundle)
                } else {
                    skills += agentSkills(in: path)
                }
            default:
                continue
            }
        }
        return skills
    }

    /// The skill in a directory holding a regular `SKILL.md`, with its references appended; nil otherwise.
    private static func bundle(at directory: String, name: String) -> Skill? {
        let main = directory + "/SKILL.md"
        guard LocalFile.info(main)?.kind == .regular, var markdown = try? readText(main, followLinks: false) else {
            return nil
        }
        var references: [(path: String, text: String)] = []
        for folder in ["references", "examples"] {
            collectTextFiles(in: directory + "/" + folder, relative: folder, into: &references)
        }
        guard !references.isEmpty else { return Skill(name: name, markdown: markdown) }
        markdown += (markdown.hasSuffix("\n") ? "\n" : "\n\n") + "## References\n"
        for (index, reference) in references.enumerated() {
            let section = "\n### \(reference.path)\n\n" + fenced(reference.text, path: reference.path)
            guard markdown.utf8.count + section.utf8.count <= maximumSkillBytes else {
                markdown += "\n(\(references.count - index) more reference file(s) left out: the skill size limit is 256 KiB)\n"
                break
            }
            markdown += section
        }
        return Skill(name: name, markdown: markdown)
    }

    private static func collectTextFiles(in directory: String, relative: String, into found: inout [(path: String, text: String)]) {
        guard LocalFile.info(directory)?.kind == .directory, let names = try? LocalFile.names(in: directory) else { return }
        for name in names where !name.hasPrefix(".") {
            let path = directory + "/" + name
            switch LocalFile.info(path)?.kind {
            case .regular:
                if let text = try? readText(path, followLinks: false, requireText: true) { found.append((relative + "/" + name, text)) }
            case .directory:
                collectTextFiles(in: path, relative: relative + "/" + name, into: &found)
            default:
                continue
            }
        }
    }

    // MARK: - Helpers

    /// A file's text, cut at `maximumSkillBytes` on a line boundary with a note.
    ///
    /// With `requireText`, binary content (NUL bytes or invalid UTF-8) is an error, so images and archives
    /// under `references/` are skipped instead of pasted into a prompt as mojibake.
    static func readText(_ path: String, followLinks: Bool, requireText: Bool = false) throws(LocalFile.Failure) -> String {
        let prefix = try LocalFile.readPrefix(path, limit: maximumSkillBytes, followLinks: followLinks)
        var bytes = prefix.bytes
        if requireText && LocalFile.text(from: bytes, truncated: prefix.truncated) == nil {
            throw LocalFile.Failure("\(path): not a text file")
        }
        guard prefix.truncated else { return String(decoding: bytes, as: UTF8.self) }
        if let newline = bytes.lastIndex(of: UInt8(ascii: "\n")) { bytes.removeSubrange((newline + 1)...) }
        return String(decoding: bytes, as: UTF8.self) + "\n(truncated: the skill size limit is 256 KiB)\n"
    }

    private static func fenced(_ text: String, path: String) -> String {
        let body = text.hasSuffix("\n") ? text : text + "\n"
        if isMarkdown(path) { return body }
        var fence = "```"
        while text.contains(fence) { fence += "`" }
        return fence + InputDescriber.extensionOf(path) + "\n" + body + fence + "\n"
    }

    static func isMarkdown(_ name: String) -> Bool {
        let fileExtension = InputDescriber.extensionOf(name)
        return fileExtension == "md" || fileExtension == "markdown"
    }

    static func stem(of name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    private static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
