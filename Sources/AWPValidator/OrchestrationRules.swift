internal import AWPCore
internal import AWPWorkflow

/// Engine choice, delegation budgets (R31, R32), evaluation (R27–R30) and other manifest-level rules.
enum OrchestrationRules {
    static let engines = ["dag", "delegation_loop"]

    static func check(_ manifest: WorkflowManifest) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if let orchestration = manifest.orchestration {
            if !engines.contains(orchestration.engine) {
                diagnostics.append(
                    .error(
                        "orchestration.engine must be 'dag' or 'delegation_loop', got '\(orchestration.engine)' "
                            + "(the reference accepts any string and then runs it as a DAG)",
                        at: orchestration.locations["engine"]
                    )
                )
            }
            if orchestration.isDelegationLoop && orchestration.delegationLoop == nil {
                diagnostics.append(
                    .warning(
                        "engine is delegation_loop but there is no orchestration.delegation_loop section; defaults apply",
                        at: orchestration.locations["engine"]
                    )
                )
            }
            if !orchestration.isDelegationLoop, orchestration.delegationLoop != nil, engines.contains(orchestration.engine) {
                diagnostics.append(
                    .warning(
                        "orchestration.delegation_loop is ignored because engine is '\(orchestration.engine)'",
                        at: orchestration.locations["delegation_loop"]
                    )
                )
            }
            if let loop = orchestration.delegationLoop {
                diagnostics += budgetChecks(loop, isActive: orchestration.isDelegationLoop)
            }
        }
        if let evaluation = manifest.observability?.evaluation, evaluation.isEnabled {
            diagnostics += evaluationChecks(evaluation)
        }
        if let state = manifest.state, !StateConfig.strategies.contains(state.sharingStrategy) {
            diagnostics.append(
                .warning(
                    "state.sharing.strategy '\(state.sharingStrategy)' is not one of full, selective, isolated; "
                        + "it is treated as full",
                    at: state.locations["sharing"]
                )
            )
        }
        return diagnostics
    }

    private static func budgetChecks(_ loop: DelegationLoopConfig, isActive: Bool) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let budget = loop.budget
        let depthLocation = budget.locations["max_depth"] ?? loop.locations["budget"] ?? loop.locations.node
        if budget.maxDepth < 0 {
            diagnostics.append(
                .error(rule: "R31", "delegation_loop.budget.max_depth must be >= 0 (got \(budget.maxDepth)).", at: depthLocation)
            )
        } else if budget.maxDepth > 10 {
            diagnostics.append(
                .error(
                    rule: "R32",
                    "delegation_loop.budget.max_depth=\(budget.maxDepth) exceeds the hard ceiling of 10. Deep recursion "
                        + "makes debugging and budget reasoning intractable. Use a flatter decomposition.",
                    at: depthLocation
                )
            )
        } else if budget.maxDepth > 5 {
            diagnostics.append(
                .warning(
                    rule: "R32",
                    "delegation_loop.budget.max_depth=\(budget.maxDepth) is high. Most A4 workflows complete with depth <= 3.",
                    at: depthLocation
                )
            )
        }
        guard isActive else { return diagnostics }
        if !budget.isDeclared {
            diagnostics.append(
                .warning(
                    rule: "R31",
                    "delegation_loop has no budget section: the defaults allow 100 loops, 500 workers, 10M tokens, "
                        + "an hour of wall time and recursion depth 4; declare the limits you mean",
                    at: loop.locations.node
                )
            )
        } else if !budget.locations.contains("max_depth") {
            diagnostics.append(
                .warning(
                    rule: "R31",
                    "delegation_loop.budget.max_depth is not set; the default 4 lets workers become sub-managers "
                        + "four levels deep",
                    at: loop.locations["budget"]
                )
            )
        }
        return diagnostics
    }

    private static func evaluationChecks(_ evaluation: EvaluationConfig) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for metric in evaluation.metrics {
            if !EvaluationConfig.validKinds.contains(metric.kind) {
                diagnostics.append(
                    .error(
                        rule: "R27",
                        "Evaluation metric '\(metric.name)' has invalid kind '\(metric.kind)'. Valid kinds: "
                            + pythonList(EvaluationConfig.validKinds),
                        at: metric.locations["kind"]
                    )
                )
            }
            if metric.weight < 0 {
                diagnostics.append(
                    .error(
                        rule: "R29",
                        "Evaluation metric '\(metric.name)' has negative weight \(metric.weight)",
                        at: metric.locations["weight"]
                    )
                )
            }
        }
        if !evaluation.metrics.isEmpty, evaluation.metrics.allSatisfy({ $0.weight == 0 }) {
            diagnostics.append(
                .error(
                    rule: "R29",
                    "At least one evaluation metric must have weight > 0",
                    at: evaluation.locations["metrics"]
                )
            )
        }
        for hook in evaluation.hooks where !EvaluationConfig.validHooks.contains(hook) {
            diagnostics.append(
                .error(
                    rule: "R30",
                    "step_scores.hooks contains invalid hook '\(hook)'. Valid hooks: \(pythonList(EvaluationConfig.validHooks))",
                    at: evaluation.locations["step_scores"]
                )
            )
        }
        if evaluation.retryPolicyEnabled {
            for (name, action) in [("below_retry", evaluation.belowRetry), ("below_fail", evaluation.belowFail)]
            where !EvaluationConfig.validActions.contains(action) {
                diagnostics.append(
                    .error(
                        rule: "R30",
                        "retry_policy.actions.\(name) has invalid action '\(action)'. Valid actions: "
                            + pythonList(EvaluationConfig.validActions),
                        at: evaluation.locations["retry_policy"]
                    )
                )
            }
        }
        return diagnostics
    }
}
