import AWPCore
import AWPTestSupport
import AWPValidator
import AWPWorkflow
import Foundation
import Testing

/// Shared fields (R8) and output contracts (R17).
@Suite struct ContractRuleTests {
    static let writerOutput = """
        output:
          format: json
          contract:
            summary: {type: string, description: "The summary"}
            secret: {type: string, description: "Internal notes", shareable: false}
            confidence: {type: number, description: "How sure", minimum: 0.0, maximum: 1.0}

        """

    static func sharing(_ source: String, _ field: String) -> String {
        """
        orchestration:
          graph:
            - id: writer
              agent: writer
            - id: reviewer
              agent: reviewer
              depends_on: [writer]
              share_input:
                \(source): [\(field)]

        """
    }

    @Test(arguments: [
        ("ghost", "summary", "Agent 'reviewer' share_input references unknown agent 'ghost'"),
        ("writer", "missing", "Agent 'reviewer' requests field 'missing' from 'writer', but it's not in the output contract"),
        ("writer", "secret", "Agent 'reviewer' requests field 'secret' from 'writer', but it's not marked as shareable"),
        ("writer", "summary", nil),
    ])
    func sharedInputMustNameAKnownAgentAndAShareableContractField(source: String, field: String, message: String?)
        async throws
    {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Fixture.validate(
                in: dir,
                manifest: Fixture.manifest(Self.sharing(source, field)),
                agents: ["writer": Fixture.agent("writer", output: Self.writerOutput), "reviewer": Fixture.agent("reviewer")]
            )
            guard let message else {
                #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
                return
            }
            #expect(report.errors.rules == ["R8"])
            #expect(report.errors.first?.message == message)
            #expect(report.errors.first?.location == at(manifestFile, 14, 9))
        }
    }

    static let outputWithoutConfidence = """
        output:
          format: json
          contract:
            summary:
              type: string
              description: "The summary"

        """

    @Test func aJSONAgentWithoutConfidenceIsR17AtTheContract() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Fixture.validate(in: dir, agents: ["writer": Fixture.agent(output: Self.outputWithoutConfidence)])
            #expect(report.errors.rules == ["R17"])
            #expect(
                report.errors.first?.message
                    == "Agent 'writer' output.contract must include a 'confidence' field (type: number, 0.0 to 1.0)"
            )
            #expect(report.errors.first?.location == at(writerFile, 13, 5))
        }
    }

    @Test func aTextAgentNeedsNoConfidence() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let output = Self.outputWithoutConfidence.edited("format: json", to: "format: text")
            let report = try Fixture.validate(in: dir, agents: ["writer": Fixture.agent(output: output)])
            #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        }
    }

    @Test func aConfidenceThatIsNotANumberIsR17AtItsType() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let output = Fixture.jsonOutput.edited("type: number", to: "type: string")
            let report = try Fixture.validate(in: dir, agents: ["writer": Fixture.agent(output: output)])
            #expect(report.errors.rules == ["R17"])
            #expect(report.errors.first?.message == "Agent 'writer' confidence field must have type 'number', got 'string'")
            #expect(report.errors.first?.location == at(writerFile, 17, 13))
        }
    }

    @Test func aConfidenceMaximumOtherThanOneIsAnR17Warning() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let output = Fixture.jsonOutput.edited("maximum: 1.0", to: "maximum: 100")
            let report = try Fixture.validate(in: dir, agents: ["writer": Fixture.agent(output: output)])
            #expect(report.isValid)
            #expect(report.diagnostics.count == 1)
            #expect(report.warnings.rules == ["R17"])
            #expect(report.warnings.first?.message == "Agent 'writer' confidence maximum should be 1.0")
            #expect(report.warnings.first?.location == at(writerFile, 20, 16))
        }
    }
}

/// `output_schema.json` and `output_schema_desc.json` (R18, R17, R12), which `validate` reads too.
@Suite struct SchemaFileRuleTests {
    static let schemaFile = "agents/writer/workflow/output_schema/output_schema.json"
    static let descriptionsFile = "agents/writer/workflow/output_schema_desc/output_schema_desc.json"

    /// Writes the default workflow, replaces one schema file, validates.
    static func validate(in dir: URL, schema: String? = nil, descriptions: String? = nil) throws -> ValidationReport {
        let root = try Fixture.write(in: dir)
        if let schema { try TestSupport.write(schema, to: schemaFile, in: root) }
        if let descriptions { try TestSupport.write(descriptions, to: descriptionsFile, in: root) }
        return WorkflowValidator.validate(directory: root.path)
    }

    @Test func aRootTypeOtherThanObjectIsR18() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, schema: Fixture.schema.edited(#""type": "object""#, to: #""type": "array""#))
            #expect(report.errors.rules == ["R18"])
            #expect(report.errors.first?.message == "Root schema type must be 'object', got 'array'")
            #expect(report.errors.first?.location == at(Self.schemaFile))
        }
    }

    @Test func aPropertyWithoutADescriptionIsR12() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, descriptions: #"{"summary": "The summary"}"#)
            #expect(report.errors.rules == ["R12"])
            #expect(report.errors.first?.message == "Missing descriptions for fields: ['confidence']")
            #expect(report.errors.first?.location == at(Self.descriptionsFile))
        }
    }

    @Test func invalidJSONIsAnErrorWithItsLineAndColumn() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, schema: "{\n  \"type\": \"object\",\n  \"properties\": }\n")
            #expect(report.errors.count == 1)
            let error = try #require(report.errors.first)
            #expect(error.rule == nil)
            #expect(error.message.hasPrefix("Invalid JSON: "))
            #expect(error.location == at(Self.schemaFile, 3, 17))
        }
    }

    @Test func aSchemaWithoutConfidenceIsR17() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let schema = #"{"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]}"#
            let report = try Self.validate(in: dir, schema: schema)
            #expect(report.errors.rules == ["R17", "R17"])
            #expect(report.errors.map(\.message) == [
                "Schema must include a 'confidence' field", "'confidence' must be in 'required' array",
            ])
            #expect(report.errors.allSatisfy { $0.location == at(Self.schemaFile) })
        }
    }

    @Test func aSchemaConfidenceThatIsNotANumberIsR17() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let schema = Fixture.schema.edited(#""confidence": {"type": "number""#, to: #""confidence": {"type": "string""#)
            let report = try Self.validate(in: dir, schema: schema)
            #expect(report.errors.rules == ["R17"])
            #expect(report.errors.first?.message == "'confidence' must have type 'number', got 'string'")
        }
    }
}
