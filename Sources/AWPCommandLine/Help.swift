internal import Foundation

/// Help texts for `awp help` and usage errors.
enum Help {
    static let commands: [(name: String, usage: String, summary: String)] = [
        ("validate", "awp validate <dir> [--json]", "Check a workflow against AWP 1.0 (rules R1–R33, graph, contracts, schema files)"),
        ("compliance", "awp compliance <dir> [--level A0|A1|A2|A3|A4] [--json]", "Report the autonomy level a workflow reaches"),
        ("visualize", "awp visualize <dir> [--format mermaid|dot|json|ascii]", "Draw the workflow graph"),
        ("plugins", "awp plugins list [--json] | check <name> [--json] | call <name> <tool> [--args JSON]",
         "List plugins, check one (handshake, tools or models), or call one tool"),
        ("bench", "awp bench validate [<dir>...] [--iterations N] [--json] | bench rpc [--iterations N] [--message-mib N] [--json]",
         "Measure load + validate time per workflow, or plugin round trips"),
        ("help", "awp help [<command>]", "Show help for awp or one command"),
    ]

    static var overview: String {
        var lines = [
            "awp \(AWPCommandLine.version): the Agent Workflow Protocol runtime",
            "",
            "usage: awp <command> [options]",
            "",
            "commands:",
        ]
        for command in commands {
            lines.append("  " + command.name.padding(toLength: 12, withPad: " ", startingAt: 0) + command.summary)
        }
        lines += [
            "",
            "options:",
            "  --version   Print the version",
            "",
            "exit status: 0 ok, 1 failure or invalid workflow, 64 usage error, 130 interrupted",
            "Run 'awp help <command>' for a command's options.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    static func usage(_ name: String) -> String? {
        commands.first { $0.name == name }?.usage ?? (name == "awp" ? "awp <command> [options]" : nil)
    }

    static func command(_ name: String) -> String? {
        guard let entry = commands.first(where: { $0.name == name }) else { return nil }
        let details: String
        switch name {
        case "validate":
            details = """
                Reads workflow.awp.yaml and agents/*/agent.awp.yaml, then checks the graph (R2, R6, R7), the
                output contracts (R8, R17), the schema files (R12, R17, R18) and the rules R1–R33.
                Diagnostics go to standard error as 'path:line:col: error: [R7] message'.
                  --json      Print {"workflow", "valid", "diagnostics": [...]} on standard output
                Exit status 1 when there is any error, including cycles and contract errors.
                """
        case "compliance":
            details = """
                Runs the A0–A4 checks. A level counts only when every lower level holds.
                  --level L   Target level (A0–A4, or legacy L0–L5); default A4
                  --json      Print {"workflow", "target", "achieved", "checks", "errors", "warnings"}
                Exit status 0 when the achieved level reaches the target, else 1.
                """
        case "visualize":
            details = """
                  --format F  mermaid (default, the reference's shape), dot (Graphviz), json, ascii (levels)
                """
        case "plugins":
            details = """
                Plugins are found beside the awp binary (built-ins), in <workflow>/plugins/, in
                $AWP_HOME/plugins/, and as MCP servers in .mcp.json (workflow directory, current directory)
                or $AWP_HOME/mcp.json. The first plugin of a name wins.
                  list            One line per plugin: name, kinds, origin, command
                  check NAME      Start it, run the handshake, list its tools or models
                  call NAME TOOL  Call one tool; the result is printed as JSON (exit 1 if it is an error result)
                  --args JSON     The tool's arguments, a JSON object (default {})
                  --timeout-s N   Time limit for the call
                  --workflow DIR  Also search DIR/plugins/ and DIR/.mcp.json
                  --json          Machine-readable output (list, check)
                  --verbose       Show the plugin's stderr and the host's remarks on standard error
                """
        case "bench":
            details = """
                validate: loads and validates each workflow directory repeatedly and reports the median and
                minimum time. Without directories it measures every workflow under ./Examples.
                rpc: round trips per second and p50/p99 latency to the Swift echo plugin (beside awp) and
                the Python echo plugin (Examples/plugins/python-echo), at concurrency 1 and 64, and one
                64 MiB message.
                  --iterations N  Runs per workflow (validate, default 50); round trips per run (rpc, default 20000)
                  --message-mib N Size of the large rpc message (default 64)
                  --json          Machine-readable figures
                """
        default:
            details = ""
        }
        return "usage: \(entry.usage)\n\n\(entry.summary).\n" + (details.isEmpty ? "" : "\n\(details)\n")
    }
}
