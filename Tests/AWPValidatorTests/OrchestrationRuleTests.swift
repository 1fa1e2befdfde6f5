import AWPCore
import AWPTestSupport
import AWPValidator
import AWPWorkflow
import Foundation
import Testing

/// Evaluation (R27–R30): the manifest is the one-node DAG (lines 6–10) followed by `observability`
/// at line 11, `evaluation` at 12, `enabled` at 13.
@Suite struct EvaluationRuleTests {
    static func validate(in dir: URL, enabled: Bool = true, _ evaluation: String) throws -> ValidationReport {
        let manifest = Fixture.manifest(
            Fixture.dag("writer") + "observability:\n  evaluation:\n    enabled: \(enabled)\n" + evaluation
        )
        return try Fixture.validate(in: dir, manifest: manifest)
    }

    static let metric = """
            metrics:
              - name: quality
                kind: vibes
                weight: 1.0

        """

    @Test(arguments: [true, false])
    func anInvalidMetricKindIsR27OnlyWhenEvaluationIsEnabled(enabled: Bool) async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, enabled: enabled, Self.metric)
            guard enabled else {
                #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
                return
            }
            #expect(report.errors.rules == ["R27"])
            #expect(
                report.errors.first?.message
                    == "Evaluation metric 'quality' has invalid kind 'vibes'. Valid kinds: ['budget_utility', "
                    + "'deterministic_assertion', 'deterministic_test', 'policy_score', 'rubric_judge']"
            )
            #expect(report.errors.first?.location == at(manifestFile, 16, 15))
        }
    }

    @Test(arguments: [true, false])
    func thresholdsOutOfOrderAreR28EvenWhenEvaluationIsDisabled(enabled: Bool) async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let thresholds = "    thresholds:\n      accept: 0.5\n      retry: 0.7\n      fail: 0.4\n"
            let report = try Self.validate(in: dir, enabled: enabled, thresholds)
            #expect(report.diagnostics.count == 1)
            #expect(report.errors.rules == ["R28"])
            #expect(
                report.errors.first?.message
                    == "thresholds must satisfy accept >= retry >= fail, got accept=0.5, retry=0.7, fail=0.4"
            )
            #expect(report.errors.first?.location == at(manifestFile, 15, 7))
        }
    }

    @Test func aThresholdOutsideZeroToOneIsR28AtItsValue() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, "    thresholds:\n      accept: 1.5\n")
            #expect(report.errors.rules == ["R28"])
            #expect(report.errors.first?.message == "threshold 'accept' must be in [0.0, 1.0], got 1.5")
            #expect(report.errors.first?.location == at(manifestFile, 15, 15))
        }
    }

    @Test func aNegativeMetricWeightIsR29() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let metric = Self.metric.edited("kind: vibes", to: "kind: rubric_judge").edited("weight: 1.0", to: "weight: -1")
            let report = try Self.validate(in: dir, metric)
            #expect(report.errors.rules == ["R29"])
            #expect(report.errors.first?.message == "Evaluation metric 'quality' has negative weight -1.0")
            #expect(report.errors.first?.location == at(manifestFile, 17, 17))
        }
    }

    @Test func metricsThatAllWeighNothingAreR29() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let metrics = """
                    metrics:
                      - {name: a, kind: rubric_judge, weight: 0}
                      - {name: b, kind: policy_score, weight: 0.0}

                """
            let report = try Self.validate(in: dir, metrics)
            #expect(report.errors.rules == ["R29"])
            #expect(report.errors.first?.message == "At least one evaluation metric must have weight > 0")
            #expect(report.errors.first?.location == at(manifestFile, 15, 7))
        }
    }

    @Test func anUnknownStepScoreHookIsR30() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, "    step_scores:\n      hooks: [worker_result, on_finish]\n")
            #expect(report.errors.rules == ["R30"])
            #expect(
                report.errors.first?.message
                    == "step_scores.hooks contains invalid hook 'on_finish'. Valid hooks: ['final_answer', 'generated_tool', 'worker_result']"
            )
        }
    }

    @Test(arguments: [true, false])
    func anUnknownRetryActionIsR30OnlyWhenTheRetryPolicyIsEnabled(policyEnabled: Bool) async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let policy = "    retry_policy:\n      enabled: \(policyEnabled)\n      actions:\n        below_retry: shrug\n"
            let report = try Self.validate(in: dir, policy)
            guard policyEnabled else {
                #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
                return
            }
            #expect(report.errors.rules == ["R30"])
            #expect(
                report.errors.first?.message
                    == "retry_policy.actions.below_retry has invalid action 'shrug'. Valid actions: ['accept_with_warning', "
                    + "'fail_workflow', 'retry_with_repair']"
            )
        }
    }
}

/// Delegation budgets (R31, R32). `Fixture.delegationLoop` puts `max_depth` on line 12.
@Suite struct BudgetRuleTests {
    static func validate(in dir: URL, _ body: String) throws -> ValidationReport {
        try Fixture.validate(in: dir, manifest: Fixture.manifest(body), agents: Fixture.agents("manager"))
    }

    @Test func aNegativeMaxDepthIsR31AtTheValue() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, Fixture.delegationLoop(maxDepth: -1))
            #expect(report.errors.rules == ["R31"])
            #expect(report.errors.first?.message == "delegation_loop.budget.max_depth must be >= 0 (got -1).")
            #expect(report.errors.first?.location == at(manifestFile, 12, 18))
        }
    }

    @Test func aDelegationLoopWithoutABudgetIsAnR31Warning() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let body = "orchestration:\n  engine: delegation_loop\n  delegation_loop:\n    manager: agents/manager\n"
            let report = try Self.validate(in: dir, body)
            #expect(report.isValid)
            #expect(report.diagnostics.count == 1)
            #expect(report.warnings.rules == ["R31"])
            #expect(report.warnings.first?.message.hasPrefix("delegation_loop has no budget section") == true)
            #expect(report.warnings.first?.location == at(manifestFile, 9, 5))
        }
    }

    @Test func aBudgetWithoutMaxDepthIsAnR31Warning() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, Fixture.delegationLoop().edited("      max_depth: 2\n", to: ""))
            #expect(report.isValid)
            #expect(report.warnings.rules == ["R31"])
            #expect(report.warnings.first?.message.hasPrefix("delegation_loop.budget.max_depth is not set") == true)
            #expect(report.warnings.first?.location == at(manifestFile, 11, 7))
        }
    }

    @Test(arguments: [
        (11, Diagnostic.Severity.error, "exceeds the hard ceiling of 10"),
        (10, .warning, "is high"),
        (7, .warning, "is high"),
        (6, .warning, "is high"),
        (5, nil, nil),
        (0, nil, nil),
    ])
    func deepRecursionIsR32(maxDepth: Int, severity: Diagnostic.Severity?, fragment: String?) async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let report = try Self.validate(in: dir, Fixture.delegationLoop(maxDepth: maxDepth))
            guard let severity, let fragment else {
                #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
                return
            }
            #expect(report.diagnostics.count == 1)
            let diagnostic = try #require(report.diagnostics.first)
            #expect(diagnostic.rule == "R32")
            #expect(diagnostic.severity == severity)
            #expect(diagnostic.message.hasPrefix("delegation_loop.budget.max_depth=\(maxDepth) \(fragment)"))
            #expect(diagnostic.location == at(manifestFile, 12, 18))
        }
    }

    @Test func aDelegationLoopSectionUnderADAGIsIgnoredWithAWarning() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let body = Fixture.dag("writer") + "  delegation_loop:\n    manager: agents/writer\n    budget: {max_depth: 2}\n"
            let report = try Fixture.validate(in: dir, manifest: Fixture.manifest(body))
            #expect(report.isValid)
            #expect(report.warnings.map(\.message) == ["orchestration.delegation_loop is ignored because engine is 'dag'"])
            #expect(report.warnings.first?.location == at(manifestFile, 12, 5))
        }
    }
}
