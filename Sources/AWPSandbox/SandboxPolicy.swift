/// What a sandboxed command may do. Everything not named here is refused by the kernel.
///
/// ```swift
/// var policy = SandboxPolicy(command: ["/usr/bin/python3", "-I", "-c", "print(1)"], workspace: dir)
/// policy.capabilities.insert(.network)
/// policy.allowedHosts = ["api.example.com"]
/// let result = try await Sandbox().run(policy)
/// ```
public struct SandboxPolicy: Sendable, Equatable {
    /// The command and its arguments; the first element is a path inside the sandbox or a name on its PATH.
    public var command: [String]
    /// Host directory bound read-write at `/workspace` (the working directory of the command).
    public var workspace: String
    /// `compute` is always implied; `network` and `filesystem` widen it.
    public var capabilities: Set<SandboxCapability>
    /// Host names reachable through the egress proxy (`network` only): exact names or `*.suffix` (not the apex).
    public var allowedHosts: [String]
    /// Extra binds (`filesystem` only).
    public var binds: [SandboxBind]
    /// Read-only binds the runtime itself needs (an interpreter prefix outside `/usr`); no capability needed.
    public var systemBinds: [SandboxBind]
    /// The command's whole environment beyond the sandbox's fixed baseline (PATH, HOME=/tmp, LANG...).
    /// Nothing of the host environment is inherited.
    public var environment: [EnvironmentEntry]
    /// Names whose values the command takes from the launcher's own environment (`--keep-env`), for secrets:
    /// unlike `environment`, they never appear in the launcher's argv, which every local user can read. The
    /// caller must start the launcher with these variables set.
    public var keptEnvironment: [String] = []
    /// The command's working directory inside the sandbox (`--chdir`); nil is `/workspace`.
    public var workingDirectory: String?
    public var limits: SandboxLimits
    /// When running as root, give the workspace directory itself (not its contents) to the sandbox's uid so
    /// the command can create files in it. Set for workspaces the runtime created; leave off for user folders.
    public var handWorkspaceToSandbox: Bool

    public init(
        command: [String], workspace: String, capabilities: Set<SandboxCapability> = [.compute],
        allowedHosts: [String] = [], binds: [SandboxBind] = [], systemBinds: [SandboxBind] = [],
        environment: [EnvironmentEntry] = [], limits: SandboxLimits = SandboxLimits(),
        handWorkspaceToSandbox: Bool = false
    ) {
        self.command = command
        self.workspace = workspace
        self.capabilities = capabilities
        self.allowedHosts = allowedHosts
        self.binds = binds
        self.systemBinds = systemBinds
        self.environment = environment
        self.limits = limits
        self.handWorkspaceToSandbox = handWorkspaceToSandbox
    }

    /// Checks the policy as a whole. A policy that fails never starts anything.
    public func validate() throws(SandboxPolicyError) {
        guard let program = command.first, !program.isEmpty else { throw .invalid("no command given") }
        guard workspace.hasPrefix("/") else { throw .invalid("the workspace must be an absolute path, not '\(workspace)'") }
        if !capabilities.contains(.network) && !allowedHosts.isEmpty {
            throw .invalid("allowed hosts need the 'network' capability")
        }
        for host in allowedHosts {
            guard HostPattern(host) != nil else {
                throw .invalid("'\(host)' is not a host name or '*.suffix' pattern (IP addresses are never allowed)")
            }
        }
        if !capabilities.contains(.filesystem) && !binds.isEmpty {
            throw .invalid("extra binds (--ro/--rw) need the 'filesystem' capability")
        }
        for bind in binds + systemBinds {
            guard bind.source.hasPrefix("/"), bind.target.hasPrefix("/") else {
                throw .invalid("bind paths must be absolute: '\(bind.source)' → '\(bind.target)'")
            }
            guard !bind.source.contains(":"), !bind.target.contains(":") else {
                throw .invalid("bind paths cannot contain ':' ('\(bind.source)')")
            }
        }
        for entry in environment {
            guard entry.isValidName else { throw .invalid("'\(entry.name)' is not a valid environment variable name") }
        }
        if let workingDirectory, !workingDirectory.hasPrefix("/") {
            throw .invalid("the working directory must be an absolute path inside the sandbox, not '\(workingDirectory)'")
        }
        for name in keptEnvironment {
            guard EnvironmentEntry(name, "").isValidName else { throw .invalid("'\(name)' is not a valid environment variable name") }
        }
        try limits.validate()
    }
}

/// A widening of the default `compute` confinement.
public enum SandboxCapability: String, Sendable, CaseIterable, Hashable {
    /// Run code: no network at all, the workspace and `/tmp` writable, nothing else of the host visible.
    case compute
    /// Reach the allowlisted hosts through the host-side egress proxy, and nothing else.
    case network
    /// See extra host paths, read-only or read-write.
    case filesystem

    /// Parses a capability name, with a message listing the valid ones.
    public static func parse(_ text: String) throws(SandboxPolicyError) -> SandboxCapability {
        guard let value = SandboxCapability(rawValue: text) else {
            throw .invalid("unknown capability '\(text)' (use compute, network or filesystem)")
        }
        return value
    }
}

/// A host path made visible inside the sandbox. Sources are resolved without following symlinks.
public struct SandboxBind: Sendable, Hashable {
    public var source: String
    public var target: String
    public var writable: Bool

    public init(source: String, target: String? = nil, writable: Bool = false) {
        self.source = source
        self.target = target ?? source
        self.writable = writable
    }
}

/// One `NAME=value` environment entry.
public struct EnvironmentEntry: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Letters, digits and underscores, not starting with a digit.
    var isValidName: Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.isASCIILetter else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.isASCIILetter || ("0"..."9").contains($0) }
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}

/// A policy that cannot be run, with the reason in words.
public enum SandboxPolicyError: Error, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let message): message
        }
    }
}
