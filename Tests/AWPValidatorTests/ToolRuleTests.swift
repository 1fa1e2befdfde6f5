import AWPCore
import AWPTestSupport
import AWPValidator
import AWPWorkflow
import Foundation
import Testing

/// R15: custom tools in `mcp/` and `tools/` stay out of reserved namespaces and are defined once.
@Suite struct ToolRuleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var decorator: String
        /// The expected R15 message, nil when the tool is allowed.
        var message: String?
        var column: Int = 1
        var testDescription: String { "\(file): \(decorator)" }
    }

    static let cases: [Case] = [
        Case(file: "mcp/x.py", decorator: #"@app.tool("web.scrape")"#, message: "Custom tool 'web.scrape' in x.py uses reserved namespace 'web'"),
        Case(file: "mcp/x.py", decorator: #"@app.tool("file.read")"#, message: nil),
        Case(file: "mcp/x.py", decorator: #"@app.tool("acme.lookup")"#, message: nil),
        Case(
            file: "mcp/x.py",
            decorator: #"@app.tool("web.scrape", secrets=["SCRAPER_KEY"])"#,
            message: "Custom tool 'web.scrape' in x.py uses reserved namespace 'web'"
        ),
        Case(
            file: "mcp/x.py",
            decorator: #"    @server.tool(name='shell.run')"#,
            message: "Custom tool 'shell.run' in x.py uses reserved namespace 'shell'",
            column: 5
        ),
        Case(
            file: "tools/sub/y.py",
            decorator: #"@app.tool("memory.forget")"#,
            message: "Custom tool 'memory.forget' in y.py uses reserved namespace 'memory'"
        ),
    ]

    @Test(arguments: cases)
    func customToolsMayNotClaimAReservedNamespaceUnlessOverridingABuiltin(_ testCase: Case) async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let root = try Fixture.write(in: dir)
            let source = "from mcp.server import App\napp = App()\n\n\(testCase.decorator)\ndef tool(x):\n    return x\n"
            try TestSupport.write(source, to: testCase.file, in: root)
            let report = WorkflowValidator.validate(directory: root.path)
            guard let message = testCase.message else {
                #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
                return
            }
            #expect(report.errors.rules == ["R15"])
            #expect(report.errors.first?.message == message)
            #expect(report.errors.first?.location == at(testCase.file, 4, testCase.column))
        }
    }

    @Test func theSameToolNameInTwoFilesIsR15AtTheSecond() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let root = try Fixture.write(in: dir)
            try TestSupport.write("@app.tool(\"acme.lookup\")\ndef a(): pass\n", to: "mcp/a.py", in: root)
            try TestSupport.write("import x\n\n@app.tool(\"acme.lookup\")\ndef b(): pass\n", to: "tools/b.py", in: root)
            let report = WorkflowValidator.validate(directory: root.path)
            #expect(report.errors.rules == ["R15"])
            #expect(
                report.errors.first?.message
                    == "Custom tool 'acme.lookup' is defined twice (first at mcp/a.py:1); tool names must be unique"
            )
            #expect(report.errors.first?.location == at("tools/b.py", 3, 1))
        }
    }
}
