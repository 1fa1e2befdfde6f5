import AWPRuntime
import AWPTestSupport
import Foundation
import Testing

@Suite struct SkillLoaderTests {
    private let riskSkill = """
        ---
        name: risk-methodology
        ---

        # Risk Assessment Methodology

        ## Purpose

        Provide a standard scoring framework.

        ## Rules
        - Score 1-5.
        """

    @Test func aMarkdownFileIsOneSkillNamedByItsStem() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            try TestSupport.write(riskSkill, to: "risk_methodology.md", in: root)
            let skills = try SkillLoader.load(path: root.path + "/risk_methodology.md")
            #expect(skills == [Skill(name: "risk_methodology", purpose: "Provide a standard scoring framework.", markdown: riskSkill)])
        }
    }

    @Test func purposeFallsBackToTheFirstParagraph() {
        let skill = Skill(name: "x", markdown: "---\ntitle: t\n---\n# Title\n\nFirst line\ncontinues here.\n\nSecond paragraph.\n")
        #expect(skill.purpose == "First line continues here.")
        #expect(Skill(name: "y", markdown: "# Only a heading\n").purpose == "")
    }

    @Test func aBundleAppendsItsReferenceAndExampleTextFiles() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            try TestSupport.write("# Market\n\n## Purpose\nRead markets.\n", to: "market/SKILL.md", in: root)
            try TestSupport.write("Glossary text.\n", to: "market/references/glossary.md", in: root)
            try TestSupport.write("print('hi')\n", to: "market/examples/sample.py", in: root)
            try Data([0x89, 0x50, 0x4E, 0x47, 0, 0, 0]).write(to: root.appendingPathComponent("market/references/chart.png"))
            try TestSupport.write("host secret", to: "secret.txt", in: root)
            try FileManager.default.createSymbolicLink(
                atPath: root.path + "/market/references/leak.md",
                withDestinationPath: root.path + "/secret.txt"
            )
            try TestSupport.write("not included", to: "market/scripts/run.sh", in: root)
            let skills = try SkillLoader.load(path: root.path + "/market/")
            let skill = try #require(skills.first)
            #expect(skills.count == 1)
            #expect(skill.name == "market")
            #expect(skill.purpose == "Read markets.")
            let expected = """
                # Market

                ## Purpose
                Read markets.

                ## References

                ### references/glossary.md

                Glossary text.

                ### examples/sample.py

                ```py
                print('hi')
                ```

                """
            // References come first (folder order), then examples; binaries, links and other folders are left out.
            #expect(skill.markdown == expected)
            #expect(!skill.markdown.contains("host secret"))
            #expect(!skill.markdown.contains("not included"))
        }
    }

    @Test func aDirectoryOfSkillsLoadsEachOneSorted() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            try TestSupport.write("# B\n\nBee.\n", to: "lib/b.md", in: root)
            try TestSupport.write("# A\n\nAy.\n", to: "lib/a/SKILL.md", in: root)
            try TestSupport.write("ignored", to: "lib/notes.txt", in: root)
            let skills = try SkillLoader.load(path: root.path + "/lib")
            #expect(skills.map(\.name) == ["a", "b"])
            #expect(skills.map(\.purpose) == ["Ay.", "Bee."])
        }
    }

    @Test func unusablePathsAreErrors() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            try TestSupport.write("zip", to: "bundle.zip", in: root)
            try TestSupport.write("x", to: "empty/readme.txt", in: root)
            #expect(throws: SkillError.self) { try SkillLoader.load(path: root.path + "/missing.md") }
            let archive = #expect(throws: SkillError.self) { try SkillLoader.load(path: root.path + "/bundle.zip") }
            #expect(archive?.message.contains("not supported") == true)
            #expect(throws: SkillError.self) { try SkillLoader.load(path: root.path + "/empty") }
        }
    }

    @Test func oversizedSkillsAreCutAtALineWithANote() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let line = String(repeating: "word ", count: 20) + "\n"
            try TestSupport.write("# Big\n" + String(repeating: line, count: 4_000), to: "big.md", in: root)
            let skill = try #require(try SkillLoader.load(path: root.path + "/big.md").first)
            #expect(skill.markdown.utf8.count <= SkillLoader.maximumSkillBytes + 100)
            #expect(skill.markdown.hasSuffix("word \n\n(truncated: the skill size limit is 256 KiB)\n"))
        }
    }

    @Test func workflowSkillsCoverEveryLayoutSortedAndIgnoreSymlinks() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let workflow = root.path + "/wf"
            try TestSupport.write("# Risk\n\nRisk text.\n", to: "wf/skills/risk_analysis/SKILL.md", in: root)
            try TestSupport.write("# Loose\n\nLoose text.\n", to: "wf/skills/loose.md", in: root)
            try TestSupport.write("# Method\n\nMethod text.\n", to: "wf/agents/analyst/workflow/skills/risk_methodology.md", in: root)
            try TestSupport.write("# Deep\n\nDeep text.\n", to: "wf/agents/analyst/workflow/skills/nested/deeper/deep.md", in: root)
            try TestSupport.write("# Kit\n\nKit text.\n", to: "wf/agents/analyst/workflow/skills/kit/SKILL.md", in: root)
            try TestSupport.write("# Kit ref\n", to: "wf/agents/analyst/workflow/skills/kit/references/r.md", in: root)
            try TestSupport.write("-----BEGIN KEY-----", to: "id_rsa", in: root)
            try FileManager.default.createSymbolicLink(atPath: workflow + "/skills/key.md", withDestinationPath: root.path + "/id_rsa")
            let skills = SkillLoader.workflowSkills(workflowDirectory: workflow, agentDirectory: workflow + "/agents/analyst")
            #expect(skills.map(\.name) == ["deep", "kit", "loose", "risk_analysis", "risk_methodology"])
            #expect(skills.first { $0.name == "kit" }?.markdown.contains("### references/r.md") == true)
            #expect(!skills.contains { $0.markdown.contains("BEGIN KEY") })
            #expect(SkillLoader.workflowSkills(workflowDirectory: root.path + "/none", agentDirectory: nil).isEmpty)
        }
    }

    @Test func readsTheEnterpriseExampleWorkflowSkills() throws {
        guard let corpus = TestSupport.conformanceDirectory else { return }
        let workflow = corpus.appendingPathComponent("examples/06-enterprise").path
        let skills = SkillLoader.workflowSkills(workflowDirectory: workflow, agentDirectory: workflow + "/agents/analyst")
        #expect(skills.map(\.name) == ["risk_analysis", "risk_methodology"])
        #expect(skills.last?.purpose == "Provide the analyst agent with a standardized scoring framework for risk assessment.")
        #expect(skills.first?.purpose.hasPrefix("- **Operational Risk**") == true)
    }

    @Test func persistWritesASluggedFileAndOverwritesOnUpdate() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let first = try SkillLoader.persist(markdown: "---\nname: x\n---\n# Risk Analysis: EU & UK!\n\nv1\n", workspace: root.path)
            #expect(first.name == "risk-analysis-eu-uk")
            #expect(first.purpose == "v1")
            let path = root.path + "/skills/risk-analysis-eu-uk.md"
            let updated = try SkillLoader.persist(markdown: "## risk analysis eu uk\n\nv2\n", workspace: root.path)
            #expect(updated.name == first.name)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "## risk analysis eu uk\n\nv2\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.path + "/skills") == ["risk-analysis-eu-uk.md"])
            let foreign = try SkillLoader.persist(markdown: "# 風險分析\n\ntext\n", workspace: root.path)
            #expect(foreign.name.hasPrefix("skill-"))
            let headingless = try SkillLoader.persist(markdown: "Always cite sources when summarising.", workspace: root.path)
            #expect(headingless.name == "always-cite-sources-when-summarising")
            #expect(throws: SkillError.self) { try SkillLoader.persist(markdown: "  \n", workspace: root.path) }
        }
    }

    @Test func persistRefusesASymlinkedSkillsDirectory() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            try FileManager.default.createDirectory(atPath: root.path + "/elsewhere", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: root.path + "/ws", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: root.path + "/ws/skills", withDestinationPath: root.path + "/elsewhere")
            #expect(throws: SkillError.self) { try SkillLoader.persist(markdown: "# X\n", workspace: root.path + "/ws") }
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.path + "/elsewhere").isEmpty)
        }
    }

    @Test func shortNamesResolveToKnownSkills() {
        let skills = [Skill(name: "risk-analysis", markdown: "# R\n"), Skill(name: "Market_Data", markdown: "# M\n")]
        #expect(SkillLoader.resolve("risk-analysis", in: skills)?.name == "risk-analysis")
        #expect(SkillLoader.resolve("  Risk Analysis ", in: skills)?.name == "risk-analysis")
        #expect(SkillLoader.resolve("risk_analysis.md", in: skills)?.name == "risk-analysis")
        #expect(SkillLoader.resolve("market_data", in: skills)?.name == "Market_Data")
        #expect(SkillLoader.resolve("unknown", in: skills) == nil)
        #expect(SkillLoader.resolve("# R\nbody", in: skills) == nil)
    }

    @Test func catalogListsNameAndPurpose() {
        let skills = [Skill(name: "a", purpose: "Does A.", markdown: ""), Skill(name: "b", purpose: "", markdown: "")]
        #expect(SkillLoader.catalog(skills) == "## Available Skills\n\n- a — Does A.\n- b\n")
        #expect(SkillLoader.catalog([]) == "")
    }
}
