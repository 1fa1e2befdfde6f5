internal import Foundation

/// Help texts for `awp help` and usage errors.
enum Help {
    static let commands: [(name: String, usage: String, summary: String)] = [
        ("validate", "awp validate <dir> [--json]", "Check a workflow against AWP 1.0 (rules R1–R33, graph, contracts, schema files)"),
        ("compliance", "awp compliance <dir> [--level A0|A1|A2|A3|A4] [--json]", "Report the autonomy level a workflow reaches"),
        ("visualize", "awp visualize <dir> [--format mermaid|dot|json|ascii]", "Draw the workflow graph"),
        ("plugins", "awp plugins list [--json] | check <name> [--json] | call <name> <tool> [--args JSON]",
         "List plugins, check one (handshake, tools or models), or call one tool"),
        ("sandbox", "awp sandbox exec [--capability compute|network|filesystem]... [--allow-host HOST]... [--ro PATH]... [--rw PATH]... [--workspace DIR] [--timeout-s N] [--cpu-s N] [--memory-mb N] [--max-procs N] [--max-output-bytes N] [--env NAME=VALUE]... [--json] -- COMMAND [ARG]... | awp sandbox doctor [--python PATH] [--json]", "Run a command confined by the kernel, or check what this host enforces"),
        ("runs", "awp runs [--limit N] [--all] [--json] [--home DIR]", "List recorded runs, newest first"),
        ("status", "awp status <run|latest> [--json] [--home DIR]", "Show a run's status, usage and artifacts"),
        ("output", "awp output <run|latest> [--json] [--home DIR]", "Print a run's result"),
        ("calls", "awp calls <run|latest> [--json] [--home DIR]", "List a run's LLM and tool calls"),
        ("events", "awp events <run|latest> [--kind K]... [--json] [--home DIR]", "Print a run's event log"),
        ("report", "awp report <run|latest> [--html] [--out PATH] [--home DIR]", "Write a report: run tree, timeline, cost, policy decisions"),
        ("audit", "awp audit verify <run|latest> [--json] [--home DIR]", "Check a run's tamper-evident audit chain"),
        ("explain-cache", "awp explain-cache <run|latest> [--json] [--home DIR]", "Say for each LLM call why the cache hit, missed or bypassed"),
        ("gc", "awp gc [--keep-days N] [--max-blob-bytes SIZE] [--json] [--home DIR]", "Delete old runs and bound the store's size"),
        ("bench", "awp bench validate [<dir>...] [--iterations N] [--json] | bench rpc [--iterations N] [--message-mib N] [--json] | bench sandbox [--rounds N] [--json] | bench all [--json]",
         "Measure validation, plugin round trips, or the cost of confinement"),
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
            lines.append("  " + command.name.padding(toLength: 15, withPad: " ", startingAt: 0) + command.summary)
        }
        lines += [
            "",
            "options:",
            "  --version   Print the version",
            "",
            "exit status: 0 ok, 1 failure or invalid workflow, 64 usage error, 130 interrupted (Ctrl-C or SIGTERM)",
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
                sandbox: bare vs confined start of /bin/true and python3 -I -S -c pass (and under bwrap when
                installed), in interleaved shuffled rounds, plus the warm executor's snippet round trip.
                all: validate, rpc and sandbox in turn, each with the options it understands; with --json,
                one object {"benchmark": "all", "validate": …, "rpc": …, "sandbox": …}.
                  --iterations N  Runs per workflow (validate, default 50); round trips per run (rpc, default 20000)
                  --message-mib N Size of the large rpc message (default 64)
                  --rounds N      Rounds per command (sandbox, default 50)
                  --json          Machine-readable figures
                """
        case "runs", "status", "output", "calls", "events", "report", "audit", "explain-cache", "gc":
            details = storeDetails(name)
        default:
            details = ""
        }
        return "usage: \(entry.usage)\n\n\(entry.summary).\n" + (details.isEmpty ? "" : "\n\(details)\n")
    }

    /// Details of the run-inspection commands, which share the store options.
    private static func storeDetails(_ name: String) -> String {
        let specific: String
        switch name {
        case "runs":
            specific = """
                  --limit N   At most N runs (default 20)
                  --all       Include sub-manager runs
                """
        case "status":
            specific = "A run left 'running' by a process that is gone is shown as interrupted (resumable)."
        case "output":
            specific = "Text results print as they are, others as JSON; exit status 1 when the run has no result yet."
        case "events":
            specific = "  --kind K    Only events of kind K (repeatable), e.g. policy.decision"
        case "report":
            specific = """
                  --html      A self-contained HTML page instead of text
                  --out PATH  Write to PATH instead of standard output
                """
        case "audit":
            specific = "Exit status 0 when every entry re-hashes and links, 1 naming the first bad entry otherwise."
        case "gc":
            specific = """
                  --keep-days N         Delete finished runs that ended more than N days ago
                  --max-blob-bytes SIZE Evict least-recently-used cache entries until blobs fit (1048576, 500M, 2G)
                Blobs still used by kept runs are never deleted; running runs are never deleted.
                """
        default:
            specific = ""
        }
        return specific + """

              <run>       A run id, a unique prefix of one, or 'latest'
              --json      Machine-readable output
              --home DIR  The awp home (default $AWP_HOME, else ./.awp); the store is DIR/awp.sqlite
            """
    }
}
