import AWPCore
import AWPTestSupport
import AWPWorkflow
import Foundation
import Testing

/// Reading a workflow directory: files found, YAML problems located, sections modelled.
@Suite struct LoaderTests {
    @Test func theMinimalFixtureLoadsWithoutDiagnostics() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, manifest: Fixture.manifest)
            #expect(workflow.diagnostics.isEmpty)
            #expect(workflow.isReadable)
            #expect(workflow.name == "demo")
            let manifest = try #require(workflow.manifest)
            #expect(manifest.awp == "1.0.0")
            #expect(manifest.orchestration?.engine == "dag")
            #expect(manifest.orchestration?.graph.map(\.id) == ["writer"])
            #expect(workflow.agents.map(\.directoryName) == ["writer"])
            #expect(workflow.agents.first?.manifestPath == agentFile)
            let agent = try #require(workflow.definitions["writer"])
            #expect(agent.output.contract.map(\.name) == ["summary", "confidence"])
            #expect(agent.output.field("confidence")?.maximum == 1.0)
        }
    }

    @Test func aMissingManifestIsExactlyOneError() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = WorkflowLoader.load(directory: dir.path)
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.message == "workflow.awp.yaml not found in \(dir.path)")
            #expect(diagnostic.location == AWPCore.SourceLocation(file: manifestFile))
            #expect(workflow.manifest == nil)
            #expect(workflow.agents.isEmpty)
        }
    }

    @Test func anEmptyManifestIsOneError() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, manifest: "# nothing here\n")
            #expect(workflow.diagnostics.map(\.message) == ["workflow.awp.yaml is empty"])
            #expect(workflow.diagnostics.first?.isError == true)
        }
    }

    @Test func aYAMLSyntaxErrorIsOneErrorAtItsPosition() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: """
                    awp: "1.0.0"
                    workflow:
                      name: demo
                      version: "1.0.0"
                      description: a: b
                    """
            )
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.message.hasPrefix("YAML: mapping values are not allowed"))
            #expect(diagnostic.location == at(manifestFile, 5, 17))
            #expect(workflow.manifest == nil)
        }
    }

    @Test func aDuplicateKeyIsOneErrorAtTheSecondKey() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, manifest: Fixture.manifest.edited("  name: demo\n", to: "  name: demo\n  name: other\n"))
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.message.hasPrefix("YAML: duplicate key"))
            #expect(diagnostic.message.hasSuffix("(first defined at line 3)"))
            #expect(diagnostic.location == at(manifestFile, 4, 3))
            #expect(workflow.manifest == nil)
        }
    }

    @Test func aYAMLErrorInAnAgentFileNamesThatFile() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, agent: Fixture.agent().edited("  role: writer\n", to: "  role: [writer\n"))
            let errors = workflow.diagnostics.errorsOnly
            #expect(errors.count == 1)
            #expect(errors.first?.message.hasPrefix("YAML: ") == true)
            #expect(errors.first?.location?.file == agentFile)
            #expect(errors.first?.location?.line != nil)
            #expect(workflow.manifest != nil)
            #expect(workflow.agents.first?.definition == nil)
        }
    }

    @Test func theLegacyAgentFileNameLoadsWithAWarning() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let root = try Fixture.write(in: dir, agentFileName: "agent.yaml")
            let workflow = WorkflowLoader.load(directory: root.path)
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .warning)
            #expect(diagnostic.message.hasPrefix("agent 'writer' uses the legacy file name agent.yaml; rename it to agent.awp.yaml"))
            #expect(diagnostic.location == AWPCore.SourceLocation(file: "agents/writer/agent.yaml"))
            #expect(workflow.agents.first?.manifestPath == "agents/writer/agent.yaml")
            #expect(workflow.definitions["writer"]?.role == "writer")
        }
    }

    @Test func anAgentDirectoryWithoutAManifestIsListedWithoutADefinition() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let root = try Fixture.write(in: dir)
            try TestSupport.write("notes\n", to: "agents/helper/README.md", in: root)
            try TestSupport.write("cache\n", to: "agents/__pycache__/x.pyc", in: root)
            let workflow = WorkflowLoader.load(directory: root.path)
            #expect(workflow.diagnostics.isEmpty)
            #expect(workflow.agents.map(\.directoryName) == ["helper", "writer"])
            #expect(workflow.agents.first?.manifestPath == nil)
            #expect(workflow.agents.first?.definition == nil)
            #expect(workflow.definitions.keys.sorted() == ["writer"])
        }
    }

    @Test func theListFormOfWorkflowEnvIsAnError() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.manifest.edited(
                    "  description: \"A demo workflow\"\n",
                    to: "  description: \"A demo workflow\"\n  env:\n    - OPENAI_API_KEY\n"
                )
            )
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.message.hasPrefix("'workflow.env' must be a mapping {required: [...], defaults: {...}}"))
            #expect(diagnostic.location == at(manifestFile, 7, 5))
        }
    }

    @Test func theMappingFormOfWorkflowEnvIsRead() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.manifest.edited(
                    "  description: \"A demo workflow\"\n",
                    to: """
                          description: "A demo workflow"
                          env:
                            required:
                              - name: API_KEY
                                description: "The key"
                                sensitive: true
                            defaults:
                              REGION: eu

                        """
                )
            )
            #expect(workflow.diagnostics.isEmpty)
            let env = try #require(workflow.manifest?.workflow.env)
            #expect(env.required.map(\.name) == ["API_KEY"])
            #expect(env.required.first?.isSensitive == true)
            #expect(env.defaults == ["REGION": "eu"])
        }
    }

    @Test func aDependencyWrittenAsIdAndExprIsAnError() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.manifest + """
                        - id: reviewer
                          agent: reviewer
                          depends_on: [{id: writer, expr: "x > 1"}]

                    """
            )
            #expect(workflow.diagnostics.count == 1)
            let diagnostic = try #require(workflow.diagnostics.first)
            #expect(diagnostic.severity == .error)
            #expect(
                diagnostic.message
                    == "'orchestration.graph[1].depends_on[0]' uses {id, expr}; AWP 1.0 engines read conditional "
                    + "dependencies as {agent, condition, when}"
            )
            #expect(diagnostic.location == at(manifestFile, 13, 20))
            #expect(workflow.manifest?.orchestration?.graph.last?.dependsOn.isEmpty == true)
        }
    }

    @Test func dependenciesAreReadInBothForms() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(
                in: dir,
                manifest: Fixture.manifest + """
                        - id: reviewer
                          agent: reviewer
                          depends_on:
                            - writer
                            - agent: writer
                              condition: failure
                              when: "state.writer.confidence < 0.5"

                    """
            )
            #expect(workflow.diagnostics.isEmpty)
            let dependencies = try #require(workflow.manifest?.orchestration?.graph.last?.dependsOn)
            #expect(dependencies.map(\.agent) == ["writer", "writer"])
            #expect(dependencies.map(\.isConditional) == [false, true])
            #expect(dependencies.map(\.condition) == ["success", "failure"])
            #expect(dependencies.last?.when == "state.writer.confidence < 0.5")
            #expect(dependencies.first?.location == at(manifestFile, 14, 11))
        }
    }
}

/// `{{dotted.path}}` templates in the manifest are resolved before it is read (digest §B.2).
@Suite struct TemplateTests {
    static let manifest = """
        awp: "1.0.0"
        workflow:
          name: demo
          version: "1.0.0"
          description: "The {{workflow.name}} workflow, v{{ workflow.version }}"
          settings:
            timeout: 45
            llm:
              temperature: 0.2
        orchestration:
          graph:
            - id: writer
              agent: writer
              timeout: "{{settings.timeout}}"
              description: "{{workflow.nope}} stays, {{settings.llm}} too"
        settings:
          temperature: "{{settings.llm.temperature}}"
          label: "t={{settings.llm.temperature}}"

        """

    @Test func templatesInsideTextAreReplacedByTheReferencedValue() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, manifest: Self.manifest)
            #expect(workflow.diagnostics.isEmpty)
            #expect(workflow.manifest?.workflow.description == "The demo workflow, v1.0.0")
            #expect(workflow.manifest?.settings?["label"] == "t=0.2")
        }
    }

    @Test func aValueThatIsOneWholeTemplateKeepsTheReferencedType() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, manifest: Self.manifest)
            // A number, not the string "0.2", and an integer timeout read without a "string" warning.
            #expect(workflow.manifest?.settings?["temperature"] == .number(0.2))
            #expect(workflow.manifest?.settings?["temperature"]?.stringValue == nil)
            #expect(workflow.manifest?.orchestration?.graph.first?.timeout == 45)
            #expect(workflow.diagnostics.isEmpty)
        }
    }

    @Test func unresolvedTemplatesAndNonScalarTargetsStayVerbatim() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let workflow = try Fixture.load(in: dir, manifest: Self.manifest)
            #expect(
                workflow.manifest?.orchestration?.graph.first?.description == "{{workflow.nope}} stays, {{settings.llm}} too"
            )
        }
    }
}
