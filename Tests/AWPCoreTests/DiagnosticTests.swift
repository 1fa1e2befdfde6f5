import AWPCore
import Testing

@Suite struct DiagnosticTests {
    @Test func describesAnErrorWithLocationAndRule() {
        let location = AWPCore.SourceLocation(file: "agents/a/agent.awp.yaml", line: 3, column: 5)
        let diagnostic = Diagnostic.error(rule: "R7", "msg", at: location)
        #expect(diagnostic.description == "agents/a/agent.awp.yaml:3:5: error: [R7] msg")
    }

    @Test func describesAnErrorWithoutLocation() {
        #expect(Diagnostic.error("msg").description == "error: msg")
    }

    @Test func describesAWarningWithoutRule() {
        let location = AWPCore.SourceLocation(file: "workflow.awp.yaml", line: 12)
        let diagnostic = Diagnostic.warning("unused output", at: location)
        #expect(diagnostic.description == "workflow.awp.yaml:12: warning: unused output")
        #expect(!diagnostic.isError)
    }

    @Test func ordersErrorsBeforeWarnings() {
        #expect(Diagnostic.Severity.error < .warning)
        #expect(!(Diagnostic.Severity.warning < .error))
    }

    @Test func reportsWhetherAListContainsErrors() {
        #expect([Diagnostic.warning("w"), .error("e")].containsErrors)
        #expect(![Diagnostic.warning("w")].containsErrors)
        #expect(![Diagnostic]().containsErrors)
    }
}
