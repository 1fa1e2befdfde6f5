import AWPCore
import Testing

@Suite struct SourceLocationTests {
    @Test(arguments: [
        (AWPCore.SourceLocation(file: "workflow.awp.yaml"), "workflow.awp.yaml"),
        (AWPCore.SourceLocation(file: "workflow.awp.yaml", line: 4), "workflow.awp.yaml:4"),
        (AWPCore.SourceLocation(file: "agents/w/agent.awp.yaml", line: 4, column: 9), "agents/w/agent.awp.yaml:4:9"),
        (AWPCore.SourceLocation(file: "workflow.awp.yaml", column: 9), "workflow.awp.yaml"),
    ])
    func describesKnownParts(location: AWPCore.SourceLocation, expected: String) {
        #expect(location.description == expected)
    }
}
