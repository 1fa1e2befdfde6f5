/// A parsed command line: positional arguments, options with values, and flags.
///
/// Written by hand (no package dependencies): options are `--name value` or `--name=value`, flags
/// are `--name`, and `--` ends option parsing.
struct Arguments {
    var positionals: [String] = []
    var options: [String: [String]] = [:]
    var flags: Set<String> = []

    /// Parses `arguments` given the options that take a value and the flags a command accepts.
    ///
    /// - Throws: `UsageError` for an unknown option or a missing value.
    init(_ arguments: [String], command: String, options valued: Set<String>, flags known: Set<String>) throws(UsageError) {
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            if valued.contains(name) {
                if let inlineValue {
                    options[name, default: []].append(inlineValue)
                } else if index < arguments.count {
                    options[name, default: []].append(arguments[index])
                    index += 1
                } else {
                    throw UsageError(command: command, message: "option '\(name)' needs a value")
                }
            } else if known.contains(name), inlineValue == nil {
                flags.insert(name)
            } else {
                throw UsageError(command: command, message: "unknown option '\(argument)'")
            }
        }
    }

    func value(_ name: String) -> String? { options[name]?.last }
    func has(_ flag: String) -> Bool { flags.contains(flag) }
}

/// A bad invocation: printed with the command's usage, exit status 64.
struct UsageError: Error {
    var command: String
    var message: String
}

/// Exit statuses of `awp` (ARCHITECTURE §7).
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 64
    static let interrupted: Int32 = 130
}
