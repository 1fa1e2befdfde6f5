internal import AWPCore
internal import AWPStore
internal import Foundation

/// `awp report <run|latest> [--html] [--out PATH] [--home DIR]`: a readable account of a run —
/// run tree, timeline, usage and cost, policy decisions, artifacts, audit status.
///
/// Text goes to standard output unless `--out` names a file; `--html` makes a self-contained page.
enum ReportCommand {
    static func run(_ arguments: [String], console: Console) async throws -> Int32 {
        let (parsed, reference) = try StoreAccess.parseRunCommand(arguments, command: "report", options: ["--out"], flags: ["--html"])
        let access = try await StoreAccess.open(parsed)
        let run = try await access.store.resolveRun(reference)
        let snapshot = try await access.store.snapshot(run.id)
        let audit = try await access.store.verifyAudit(run.id)
        let report = RunReport(snapshot: snapshot, audit: audit, generatedAt: Timestamp.milliseconds())
        let document = parsed.has("--html") ? HTMLReport.render(report) : report.text

        guard let out = parsed.value("--out") else {
            console.writeOut(document)
            return ExitStatus.success
        }
        let url = URL(fileURLWithPath: out)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(document.utf8).write(to: url, options: .atomic)
        } catch {
            console.error("awp report: error: cannot write \(url.path): \(error.localizedDescription)")
            return ExitStatus.failure
        }
        console.out("wrote \(url.path)")
        return ExitStatus.success
    }
}
