import AWPRuntime
import AWPTestSupport
import Foundation
import Testing

@Suite struct SecretStoreTests {
    private func write(_ text: String, _ path: String, in root: URL, mode: Int = 0o600) throws {
        try TestSupport.write(text, to: path, in: root)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: root.appendingPathComponent(path).path)
    }

    @Test func laterSourcesWinInOrderEnvironmentHomeWorkflowEnvSecretsYAML() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            try write("A=home\nB=home\nC=home\n", "home/.env", in: root)
            try write("B=workflow\nC=workflow\n", "wf/.env", in: root)
            try write("secrets:\n  C: yaml\n", "wf/secrets.yaml", in: root)
            let store = try SecretStore.load(
                workflowDirectory: root.path + "/wf",
                homeDirectory: root.path + "/home",
                environment: ["A": "env", "D": "env"],
                declared: ["A", "D"]
            )
            #expect(store.value("A") == "home")
            #expect(store.value("B") == "workflow")
            #expect(store.value("C") == "yaml")
            #expect(store.value("D") == "env")
            #expect(store.names == ["A", "B", "C", "D"])
            #expect(store.warnings.isEmpty)
        }
    }

    @Test func undeclaredEnvironmentVariablesAreNeverSecrets() throws {
        let environment = ["AWS_SECRET_ACCESS_KEY": "aws", "PATH": "/bin", "OPENAI_API_KEY": "sk-1", "MINE": "m"]
        let store = try SecretStore.load(workflowDirectory: nil, homeDirectory: nil, environment: environment, declared: ["MINE"])
        #expect(store.names == ["MINE", "OPENAI_API_KEY"])
        #expect(store.value("AWS_SECRET_ACCESS_KEY") == nil)
        #expect(store.value("PATH") == nil)
    }

    @Test func secretsYAMLResolvesEnvTemplatesFromFilesThenEnvironment() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            try write("FROM_FILE=filevalue\n", ".env", in: root)
            try write(
                """
                secrets:
                  DSN: "postgres://app:{{ env.DB_PASS }}@db/prod"
                  COPY: "{{env.FROM_FILE}}"
                  PORT: 5432
                  KEEP: "{{ other.thing }}"
                """,
                "secrets.yaml",
                in: root
            )
            let store = try SecretStore.load(
                workflowDirectory: root.path,
                homeDirectory: nil,
                environment: ["DB_PASS": "hunter22"],
                declared: []
            )
            #expect(store.value("DSN") == "postgres://app:hunter22@db/prod")
            #expect(store.value("COPY") == "filevalue")
            #expect(store.value("PORT") == "5432")
            #expect(store.value("KEEP") == "{{ other.thing }}")
            // Referencing DB_PASS from secrets.yaml does not make DB_PASS itself a secret.
            #expect(store.value("DB_PASS") == nil)
        }
    }

    @Test func aMissingEnvironmentVariableIsAnErrorWithFileAndLine() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            try write("secrets:\n  OK: fine\n  TOKEN: \"{{ env.NOT_SET_ANYWHERE }}\"\n", "secrets.yaml", in: root)
            let error = #expect(throws: SecretError.self) {
                try SecretStore.load(workflowDirectory: root.path, homeDirectory: nil, environment: [:], declared: [])
            }
            #expect(error?.file == root.path + "/secrets.yaml")
            #expect(error?.line == 3)
            #expect(error?.message.contains("NOT_SET_ANYWHERE") == true)
            #expect(error?.description.hasSuffix("secrets.yaml:3: " + (error?.message ?? "")) == true)
        }
    }

    @Test func invalidSecretsYAMLReportsItsLine() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            try write("secrets:\n  A: [1, 2]\n", "secrets.yaml", in: root)
            let error = #expect(throws: SecretError.self) {
                try SecretStore.load(workflowDirectory: root.path, homeDirectory: nil, environment: [:], declared: [])
            }
            #expect(error?.line == 2)
        }
    }

    @Test func dotEnvSyntax() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            let text = """
                \u{FEFF}# comment
                export EXPORTED=yes\r
                SINGLE='a b # not a comment'
                DOUBLE="x=$HOME"
                PLAIN = spaced value   # trailing comment
                HASH=pa#ss
                EMPTY=

                """
            try write(text, ".env", in: root)
            let store = try SecretStore.load(workflowDirectory: root.path, homeDirectory: nil, environment: ["HOME": "/h"], declared: [])
            #expect(store.value("EXPORTED") == "yes")
            #expect(store.value("SINGLE") == "a b # not a comment")
            #expect(store.value("DOUBLE") == "x=$HOME")
            #expect(store.value("PLAIN") == "spaced value")
            #expect(store.value("HASH") == "pa#ss")
            #expect(store.value("EMPTY") == "")
        }
    }

    @Test(arguments: ["JUST_A_NAME", "1BAD=x", "Q=\"unterminated", "Q='a' trailing"])
    func malformedDotEnvLinesAreErrorsWithFileAndLine(line: String) async throws {
        try await TestSupport.withTemporaryDirectory { root in
            try write("GOOD=1\n\(line)\n", ".env", in: root)
            let error = #expect(throws: SecretError.self) {
                try SecretStore.load(workflowDirectory: root.path, homeDirectory: nil, environment: [:], declared: [])
            }
            #expect(error?.file == root.path + "/.env")
            #expect(error?.line == 2)
        }
    }

    @Test func groupOrWorldReadableSecretsFilesAreWarnedAbout() async throws {
        try await TestSupport.withTemporaryDirectory { root in
            try write("A=1\n", ".env", in: root, mode: 0o644)
            try write("secrets:\n  B: two\n", "secrets.yaml", in: root, mode: 0o600)
            let store = try SecretStore.load(workflowDirectory: root.path, homeDirectory: nil, environment: [:], declared: [])
            #expect(store.warnings.count == 1)
            #expect(store.warnings.first?.contains(".env is readable by other users (mode 644)") == true)
            #expect(store.value("A") == "1")
        }
    }

    @Test func substitutesDollarNameAndBracedName() throws {
        let store = SecretStore(values: ["TOKEN": "t0k3n", "USER": "ann", "USER_ID": "42"])
        #expect(try store.substitute("Bearer $TOKEN", strict: true) == "Bearer t0k3n")
        #expect(try store.substitute("${USER}_suffix and $USER_ID", strict: true) == "ann_suffix and 42")
        #expect(try store.substitute("cost $5, $ alone, ${unclosed", strict: true) == "cost $5, $ alone, ${unclosed")
        #expect(try store.substitute("$UNKNOWN and ${OTHER}", strict: false) == "$UNKNOWN and ${OTHER}")
        let error = #expect(throws: SecretError.self) { try store.substitute("x ${OTHER}", strict: true) }
        #expect(error?.message.contains("OTHER") == true)
        // Values are not rescanned.
        let nested = SecretStore(values: ["A": "$B", "B": "b"])
        #expect(try nested.substitute("$A", strict: true) == "$B")
        #expect(SecretStore.references(in: "$A ${B} $A $1") == ["A", "B"])
    }

    @Test func subsetReturnsOnlyKnownNames() {
        let store = SecretStore(values: ["A": "1", "B": "2"])
        #expect(store.subset(["A", "C"]) == ["A": "1"])
    }
}
