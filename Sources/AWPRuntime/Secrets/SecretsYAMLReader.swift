internal import AWPYAML

/// Reads a workflow's `secrets.yaml`: a `secrets:` mapping of names to scalar values.
///
/// ```yaml
/// secrets:
///   DB_PASSWORD: "{{ env.PROD_DB_PASSWORD }}"
///   API_URL: https://api.example.com/v1?key={{ env.API_KEY }}
/// ```
///
/// A value may embed `{{ env.VAR }}` anywhere; each is replaced by `VAR`'s value, looked up first in the
/// secrets merged so far (environment names and `.env` files) and then in the full process environment.
/// Naming a variable in this file is an explicit request for it, which is why the lookup may reach past
/// the filtered environment that `SecretStore.load` otherwise uses. A variable found in neither is an
/// error with the value's line: a silently empty credential fails later and far less clearly.
enum SecretsYAMLReader {
    /// The `secrets:` pairs of `text`, with templates resolved, in file order.
    static func read(
        _ text: String,
        file: String,
        lookup: (String) -> String?
    ) throws(SecretError) -> [(key: String, value: String)] {
        let root: YAMLNode?
        do {
            root = try YAMLParser.parse(text)
        } catch {
            throw SecretError(error.message, file: file, line: error.mark?.line)
        }
        guard let root, !root.isNull else { return [] }
        guard root.mapping != nil else {
            throw SecretError("expected a mapping with a `secrets:` key", file: file, line: root.mark.line)
        }
        guard let secrets = root["secrets"], !secrets.isNull else { return [] }
        guard let pairs = secrets.mapping else {
            throw SecretError("`secrets` must be a mapping of NAME: value", file: file, line: secrets.mark.line)
        }
        var result: [(key: String, value: String)] = []
        for pair in pairs {
            guard let name = pair.key.scalar?.text, !name.isEmpty else {
                throw SecretError("secret names must be plain strings", file: file, line: pair.key.mark.line)
            }
            guard let raw = pair.value.scalar?.text, !pair.value.isNull else {
                throw SecretError("secret \(name) has no value (a scalar is required)", file: file, line: pair.value.mark.line)
            }
            let value = try resolveTemplates(in: raw, lookup: lookup) { variable throws(SecretError) in
                throw SecretError(
                    "environment variable \(variable) (used by secret \(name)) is not set",
                    file: file,
                    line: pair.value.mark.line
                )
            }
            result.append((name, value))
        }
        return result
    }

    /// Replaces each `{{ env.VAR }}` (spaces inside the braces optional) in `text`.
    ///
    /// Other `{{ … }}` expressions are left exactly as written; they may belong to a tool's own templating.
    static func resolveTemplates(
        in text: String,
        lookup: (String) -> String?,
        missing: (String) throws(SecretError) -> Never
    ) throws(SecretError) -> String {
        var output = ""
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            output += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.firstRange(of: "}}") else {
                output += rest[open.lowerBound...]
                return output
            }
            let inner = afterOpen[..<close.lowerBound].trimmingSpaces
            if inner.hasPrefix("env."), SecretStore.isShellName(inner.dropFirst(4)) {
                let variable = String(inner.dropFirst(4))
                guard let value = lookup(variable) else { try missing(variable) }
                output += value
            } else {
                output += rest[open.lowerBound..<close.upperBound]
            }
            rest = afterOpen[close.upperBound...]
        }
        output += rest
        return output
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        let trimmedStart = drop { $0 == " " || $0 == "\t" }
        var end = trimmedStart.endIndex
        while end > trimmedStart.startIndex {
            let previous = trimmedStart.index(before: end)
            guard trimmedStart[previous] == " " || trimmedStart[previous] == "\t" else { break }
            end = previous
        }
        return trimmedStart[..<end]
    }
}
