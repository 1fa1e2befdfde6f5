/// The `awp-sandbox` argv for a policy. Pure: the same policy always gives the same flags, so this is where
/// the mapping from capabilities to kernel confinement is tested.
public enum LauncherArguments {
    /// - Parameters:
    ///   - reportFD: descriptor (in the launcher) that receives the one-line JSON report.
    ///   - proxyFD: descriptor (in the launcher) that receives the proxy listener, for the network tier.
    ///   - seccompFD: descriptor (in the launcher) of a precompiled, sealed seccomp program for the tier.
    public static func make(for policy: SandboxPolicy, reportFD: Int32?, proxyFD: Int32?, seccompFD: Int32? = nil) -> [String] {
        var arguments = ["--workspace", policy.workspace]
        if policy.handWorkspaceToSandbox { arguments.append("--chown-workspace") }
        if let directory = policy.workingDirectory { arguments += ["--chdir", directory] }
        for bind in policy.systemBinds { arguments += ["--ro", spec(bind)] }
        if policy.capabilities.contains(.filesystem) {
            for bind in policy.binds { arguments += [bind.writable ? "--rw" : "--ro", spec(bind)] }
        }
        if policy.capabilities.contains(.network), let proxyFD {
            arguments += ["--net", "proxy", "--proxy-fd", String(proxyFD)]
        } else {
            arguments += ["--net", "none"]
        }
        let limits = policy.limits
        if let timeout = limits.timeoutMilliseconds { arguments += ["--timeout-ms", String(timeout)] }
        if let cpu = limits.cpuSeconds { arguments += ["--cpu-s", String(cpu)] }
        if let memory = limits.memoryMB { arguments += ["--memory-mb", String(memory)] }
        if let procs = limits.maxProcesses { arguments += ["--max-procs", String(procs)] }
        arguments += ["--fsize-mb", String(limits.fileSizeMB), "--nofile", String(limits.openFiles)]
        arguments += ["--tmp-mb", String(limits.tmpMB), "--tmp-inodes", String(limits.tmpInodes)]
        if limits.cgroup != .auto { arguments += ["--cgroup", limits.cgroup.rawValue] }
        for entry in policy.environment { arguments += ["--env", "\(entry.name)=\(entry.value)"] }
        for name in policy.keptEnvironment { arguments += ["--keep-env", name] }
        if let reportFD { arguments += ["--report-fd", String(reportFD)] }
        if let seccompFD { arguments += ["--seccomp-fd", String(seccompFD)] }
        arguments.append("--")
        arguments += policy.command
        return arguments
    }

    private static func spec(_ bind: SandboxBind) -> String {
        bind.source == bind.target ? bind.source : "\(bind.source):\(bind.target)"
    }
}
