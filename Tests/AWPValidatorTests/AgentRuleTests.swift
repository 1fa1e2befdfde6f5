import AWPCore
import AWPTestSupport
import AWPValidator
import AWPWorkflow
import Foundation
import Testing

/// The workflow name (R1) and the agent directories: R3, R5/R9, R11, R14, the delegation-loop manager.
@Suite struct AgentRuleTests {
    @Test(arguments: [
        ("demo", "demo", true), ("01-demo-flow", "demo-flow", true), ("01-demo-flow", "demo_flow", true),
        ("my_flow", "my-flow", true), ("my-flow", "my_flow", true), ("demo", "other", false),
        ("2-demo", "demo", true), ("demo-01", "demo", false),
    ])
    func theWorkflowNameMustMatchTheDirectoryName(directory: String, name: String, matches: Bool) async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Fixture.validate(in: dir, directory: directory, manifest: Fixture.manifest(name: name))
            if matches {
                #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
            } else {
                #expect(report.errors.rules == ["R1"])
                #expect(report.errors.first?.message == "workflow.name '\(name)' doesn't match directory name '\(directory)'")
                #expect(report.errors.first?.location == at(manifestFile, 3, 9))
            }
        }
    }

    @Test func aGraphNodeWithoutAnAgentDirectoryIsR5R9AtItsId() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Fixture.validate(in: dir, manifest: Fixture.manifest(Fixture.dag("writer", "reviewer")))
            #expect(report.errors.rules == ["R5/R9"])
            let error = try #require(report.errors.first)
            #expect(error.message == "Agent directory not found: agents/reviewer (graph node 'reviewer' has no agent)")
            #expect(error.location == at(manifestFile, 11, 11))
        }
    }

    @Test func aMissingSystemPromptIsAnR11Error() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let root = try Fixture.write(in: dir)
            try Fixture.remove("agents/writer/\(Fixture.systemPromptPath)", in: root)
            let report = WorkflowValidator.validate(directory: root.path)
            #expect(report.errors.rules == ["R11"])
            let error = try #require(report.errors.first)
            #expect(error.message == "Agent 'writer' missing SYSTEM_PROMPT.md (agents/writer/workflow/instructions/SYSTEM_PROMPT.md)")
            #expect(error.location == at(writerFile))
            // prompt.system names that same file, which is worth a warning too.
            #expect(report.warnings.rules == ["R11"])
            #expect(report.warnings.first?.message.hasPrefix("Agent 'writer' prompt.system file not found") == true)
        }
    }

    @Test func aMissingAgentPyIsOnlyAWarning() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let root = try Fixture.write(in: dir)
            try Fixture.remove("agents/writer/agent.py", in: root)
            let report = WorkflowValidator.validate(directory: root.path)
            #expect(report.isValid)
            #expect(report.diagnostics.count == 1)
            let warning = try #require(report.warnings.first)
            #expect(warning.rule == "R11")
            #expect(warning.message.hasPrefix("Agent 'writer' has no agent.py"))
            #expect(warning.location == at(writerFile))
        }
    }

    @Test func anAgentDirectoryWithoutAnAgentManifestIsAnR11Error() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let root = try Fixture.write(in: dir)
            try TestSupport.write("notes\n", to: "agents/helper/README.md", in: root)
            let report = WorkflowValidator.validate(directory: root.path)
            #expect(report.diagnostics.count == 1)
            let error = try #require(report.errors.first)
            #expect(error.rule == "R11")
            #expect(error.message == "Agent 'helper' missing agent.awp.yaml (the directory agents/helper has no agent manifest)")
            #expect(error.location == at("agents/helper"))
        }
    }

    @Test func aClassNameOtherThanAgentIsAnR3WarningAtRuntime() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let agent = Fixture.agent(extra: "runtime:\n  class_name: MyAgent\n")
            let report = try Fixture.validate(in: dir, agents: ["writer": agent])
            #expect(report.isValid)
            #expect(report.diagnostics.count == 1)
            let warning = try #require(report.warnings.first)
            #expect(warning.rule == "R3")
            #expect(warning.message.hasPrefix("Agent 'writer' class_name is 'MyAgent'; the Python reference requires 'Agent'"))
            #expect(warning.location == at(writerFile, 22, 3))
        }
    }

    @Test func disabledToolsWithACallBudgetAreR14AtMaxCalls() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let agent = Fixture.agent(extra: "capabilities:\n  tools:\n    enabled: false\n    max_calls: 5\n")
            let report = try Fixture.validate(in: dir, agents: ["writer": agent])
            #expect(report.errors.rules == ["R14"])
            #expect(report.errors.first?.message == "Agent 'writer' has tools.enabled=false but max_calls=5 (must be 0)")
            #expect(report.errors.first?.location == at(writerFile, 24, 16))
        }
    }

    @Test func disabledToolsWithoutACallBudgetAreFine() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let agent = Fixture.agent(extra: "capabilities:\n  tools:\n    enabled: false\n    max_calls: 0\n")
            let report = try Fixture.validate(in: dir, agents: ["writer": agent])
            #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        }
    }

    @Test func aDelegationLoopManagerThatDoesNotExistIsR5R9() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let manifest = Fixture.manifest(Fixture.delegationLoop().edited("agents/manager", to: "agents/boss"))
            let report = try Fixture.validate(in: dir, manifest: manifest, agents: Fixture.agents("manager"))
            #expect(report.errors.rules == ["R5/R9"])
            let error = try #require(report.errors.first)
            #expect(error.message.hasPrefix("delegation_loop.manager 'agents/boss' does not exist"))
            #expect(error.location == at(manifestFile, 9, 14))
        }
    }

    @Test func anUnsetDelegationLoopManagerIsAWarning() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let manifest = Fixture.manifest(Fixture.delegationLoop().edited("    manager: agents/manager\n", to: ""))
            let report = try Fixture.validate(in: dir, manifest: manifest, agents: Fixture.agents("manager"))
            #expect(report.isValid)
            #expect(report.diagnostics.count == 1)
            let warning = try #require(report.warnings.first)
            #expect(warning.rule == nil)
            #expect(warning.message.hasPrefix("delegation_loop.manager is not set; the built-in manager is used"))
            #expect(warning.location == at(manifestFile, 9, 5))
        }
    }
}

/// R25 and R26: agents that create tools need code mode, dynamic tools and an allowed namespace.
@Suite struct ToolCreationRuleTests {
    static func creator(enabled: Bool = true, namespace: String? = nil) -> String {
        var extra = "capabilities:\n  codemode:\n    enabled: \(enabled)\n    tool_creation: true\n"
        if let namespace { extra += "    tool_creation_namespace: \(namespace)\n" }
        return Fixture.agent(extra: extra)
    }

    static let dynamicTools = "dynamic_tools:\n  enabled: true\n  allowed_namespaces: [\"dynamic\"]\n"

    static func validate(in dir: URL, agent: String, dynamicTools: String = dynamicTools) throws -> ValidationReport {
        try Fixture.validate(in: dir, manifest: Fixture.manifest(Fixture.dag("writer") + dynamicTools), agents: ["writer": agent])
    }

    @Test func aToolCreatorWithDynamicToolsAndTheDefaultNamespaceIsValid() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, agent: Self.creator())
            #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        }
    }

    @Test func aReservedNamespaceIsR25AtTheNamespace() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, agent: Self.creator(namespace: "web"))
            #expect(report.errors.rules == ["R25", "R25"])
            #expect(report.errors.map(\.message) == [
                "Agent 'writer' tool_creation_namespace 'web' is a reserved namespace",
                "Agent 'writer' tool_creation_namespace 'web' is not in dynamic_tools.allowed_namespaces: ['dynamic']",
            ])
            #expect(report.errors.first?.location == at(writerFile, 25, 30))
        }
    }

    @Test func aNamespaceOutsideTheAllowedListIsR25() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, agent: Self.creator(namespace: "mine"))
            #expect(report.errors.rules == ["R25"])
            #expect(
                report.errors.first?.message
                    == "Agent 'writer' tool_creation_namespace 'mine' is not in dynamic_tools.allowed_namespaces: ['dynamic']"
            )
        }
    }

    @Test func anObjectFormNamespaceIsAccepted() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let dynamicTools = """
                dynamic_tools:
                  enabled: true
                  allowed_namespaces:
                    - name: mine
                      capabilities: ["compute", "network"]
                      network_allowlist: ["api.example.org"]

                """
            let report = try Self.validate(in: dir, agent: Self.creator(namespace: "mine"), dynamicTools: dynamicTools)
            #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        }
    }

    @Test func toolCreationWithCodeModeDisabledIsR26() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, agent: Self.creator(enabled: false))
            #expect(report.errors.rules == ["R26"])
            #expect(report.errors.first?.message == "Agent 'writer' has tool_creation=true but codemode.enabled=false")
            #expect(report.errors.first?.location == at(writerFile, 24, 20))
        }
    }

    @Test func toolCreationWithoutDynamicToolsIsR26() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, agent: Self.creator(), dynamicTools: "dynamic_tools:\n  enabled: false\n")
            #expect(report.errors.rules == ["R26"])
            #expect(
                report.errors.first?.message
                    == "Agent 'writer' has tool_creation=true but dynamic_tools.enabled is false or not set in workflow.awp.yaml"
            )
        }
    }
}

/// R1 compares `workflow.name` with the directory's base name as the user gave it.
@Suite struct WorkflowNameDirectoryTests {
    @Test func theDirectoryNameIsTakenFromTheGivenPathNotFromASymlinkTarget() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let target = try Fixture.write(in: dir, directory: "build-1234")
            let link = dir.appendingPathComponent("demo")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
            let report = WorkflowValidator.validate(directory: link.path)
            // The reference compares with Path(path).name, which is "demo" here.
            #expect(report.diagnostics.rule("R1").isEmpty, "\(report.diagnostics)")
        }
    }

    @Test func aRelativeDotPathUsesTheRealDirectoryName() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let root = try Fixture.write(in: dir)
            let report = WorkflowValidator.validate(directory: root.appendingPathComponent("agents/..").path)
            #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        }
    }
}
