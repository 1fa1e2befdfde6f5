public import AWPCore
internal import AWPYAML

/// `observability`: logging, metrics, tracing, audit and evaluation (digest §B.12).
public struct ObservabilityConfig: Sendable {
    public var metricsEnabled: Bool = false
    public var tracingEnabled: Bool = false
    public var auditEnabled: Bool = false
    public var evaluation: EvaluationConfig?
    /// `logging`, `health`, `output_contract` and the other sub-keys of the enabled sections, as data.
    public var options: [String: JSONValue] = [:]
    public var extras: [ExtraField] = []
    public var locations = FieldLocations()
}

/// `observability.evaluation`: scoring of results against metrics and thresholds.
public struct EvaluationConfig: Sendable {
    /// One scored metric.
    public struct Metric: Sendable {
        public var name: String
        public var kind: String
        public var weight: Double
        public var params: JSONValue?
        public var locations: FieldLocations
    }

    public static let validKinds = [
        "budget_utility", "deterministic_assertion", "deterministic_test", "policy_score", "rubric_judge",
    ]
    public static let validHooks = ["final_answer", "generated_tool", "worker_result"]
    public static let validActions = ["accept_with_warning", "fail_workflow", "retry_with_repair"]

    public var isEnabled: Bool = false
    public var metrics: [Metric] = []
    public var accept: Double = 0.85
    public var retry: Double = 0.65
    public var fail: Double = 0.40
    public var stepScoresEnabled: Bool = true
    public var hooks: [String] = ["worker_result", "final_answer"]
    public var retryPolicyEnabled: Bool = false
    public var maxRepairs: Int = 2
    public var belowRetry: String = "retry_with_repair"
    public var belowFail: String = "fail_workflow"
    public var artifactPath: String = "data/evaluation"
    public var locations = FieldLocations()
}

extension ObservabilityConfig {
    static func read(_ reader: MappingReader) -> ObservabilityConfig {
        var config = ObservabilityConfig()
        config.locations = reader.locations
        for (key, keyPath) in [("metrics", \ObservabilityConfig.metricsEnabled), ("tracing", \.tracingEnabled), ("audit", \.auditEnabled)] {
            guard let section = reader.mapping(key) else { continue }
            config[keyPath: keyPath] = section.bool("enabled", default: false)
            var rest: [(key: String, value: JSONValue)] = []
            for name in section.keys where name != "enabled" {
                if let value = section.json(name) { rest.append((key: name, value: value)) }
            }
            config.options[key] = .object(rest)
        }
        config.evaluation = reader.mapping("evaluation").map(EvaluationConfig.read)
        for key in ["logging", "health", "output_contract"] {
            if let value = reader.json(key) { config.options[key] = value }
        }
        config.extras = reader.finish(note: "kept as data")
        return config
    }
}

extension EvaluationConfig {
    static func read(_ reader: MappingReader) -> EvaluationConfig {
        let context = reader.context
        var config = EvaluationConfig()
        config.locations = reader.locations
        config.isEnabled = reader.bool("enabled", default: false)
        for (index, item) in (reader.list("metrics") ?? []).enumerated() {
            guard let entry = MappingReader(item, path: "\(reader.childPath("metrics"))[\(index)]", context: context)
            else { continue }
            let metric = Metric(
                name: entry.string("name", required: true) ?? "",
                kind: entry.string("kind", required: true) ?? "",
                weight: entry.double("weight", default: 1.0),
                params: entry.json("params"),
                locations: entry.locations
            )
            entry.finish()
            config.metrics.append(metric)
        }
        if let thresholds = reader.mapping("thresholds") {
            config.accept = thresholds.double("accept", default: config.accept)
            config.retry = thresholds.double("retry", default: config.retry)
            config.fail = thresholds.double("fail", default: config.fail)
            thresholds.finish()
            // The reference's model rejects these while parsing, even when evaluation is disabled.
            let values = [("accept", config.accept), ("retry", config.retry), ("fail", config.fail)]
            if let (name, value) = values.first(where: { !(0.0...1.0).contains($0.1) }) {
                context.error(
                    "threshold '\(name)' must be in [0.0, 1.0], got \(value)",
                    at: thresholds.value(name),
                    rule: "R28"
                )
            } else if !(config.accept >= config.retry && config.retry >= config.fail) {
                context.error(
                    "thresholds must satisfy accept >= retry >= fail, got accept=\(config.accept), "
                        + "retry=\(config.retry), fail=\(config.fail)",
                    at: thresholds.node,
                    rule: "R28"
                )
            }
        }
        if let steps = reader.mapping("step_scores") {
            config.stepScoresEnabled = steps.bool("enabled", default: true)
            config.hooks = steps.strings("hooks", default: config.hooks)
            steps.finish()
        }
        if let retry = reader.mapping("retry_policy") {
            config.retryPolicyEnabled = retry.bool("enabled", default: false)
            config.maxRepairs = retry.int("max_repairs", default: config.maxRepairs)
            if let actions = retry.mapping("actions") {
                config.belowRetry = actions.string("below_retry", default: config.belowRetry)
                config.belowFail = actions.string("below_fail", default: config.belowFail)
                actions.finish()
            }
            retry.finish()
        }
        _ = reader.json("rubric_judge")
        config.artifactPath = reader.string("artifact_path", default: config.artifactPath)
        reader.finish()
        return config
    }
}
