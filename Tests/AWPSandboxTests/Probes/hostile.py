# Hostile probes for the sandbox tests: one attempt per HOSTILE.md row, run as `python3 -I -S -c <this> NAME ARG...`.
# Each probe prints "RESULT <token>" (an errno name, "ok", or a value) unless the kernel kills it first.
# Every probe is non-destructive even if the sandbox failed: writes restore existing values, kernel calls use
# invalid arguments after the permission check, bombs are bounded, vsock is never connected.
import ctypes, errno, os, socket, struct, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def err(e):
    return errno.errorcode.get(e.errno if isinstance(e, OSError) else e, str(e))


def sys_call(number, *args):
    argv = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    rc = libc.syscall(ctypes.c_long(number), *argv)
    return "ok" if rc >= 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))


def attempt(action):
    try:
        action()
        return "ok"
    except OSError as e:
        return err(e)


def read_path(path):
    return attempt(lambda: open(path, "rb").read(1))


def write_path(path):
    return attempt(lambda: open(path, "wb").close())


def proc_core_pattern():
    path = "/proc/sys/kernel/core_pattern"
    try:
        current = open(path, "rb").read()
    except OSError as e:
        return err(e)
    try:
        with open(path, "wb") as f:
            f.write(current)  # writes back what is there: harmless even if it were allowed
        return "WRITABLE"
    except OSError as e:
        return err(e)


def proc_pid_count():
    return str(sum(1 for d in os.listdir("/proc") if d.isdigit()))


def dev_nodes():
    import stat
    nodes = sorted(n for n in os.listdir("/dev") if stat.S_ISCHR(os.lstat("/dev/" + n).st_mode))
    return ",".join(nodes)


def mknod():
    import stat
    return attempt(lambda: os.mknod("/workspace/blk", 0o600 | stat.S_IFBLK, os.makedev(8, 0)))


def mount_tmpfs():
    os.makedirs("/tmp/m", exist_ok=True)
    rc = libc.mount(b"tmpfs", b"/tmp/m", b"tmpfs", 0, None)
    return "ok" if rc == 0 else errno.errorcode[ctypes.get_errno()]


def umount_proc():
    rc = libc.umount2(b"/proc", 2)
    return "ok" if rc == 0 else errno.errorcode[ctypes.get_errno()]


def setns():
    fd = os.open("/proc/self/ns/net", os.O_RDONLY)
    rc = libc.setns(fd, 0)
    return "ok" if rc == 0 else errno.errorcode[ctypes.get_errno()]


def capset():
    header = struct.pack("Ii", 0x20080522, 0)
    data = struct.pack("IIIIII", 0xFFFFFFFF, 0xFFFFFFFF, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return sys_call(126, ctypes.c_char_p(header), ctypes.c_char_p(data))


def ioctl(number):
    import fcntl
    fd = os.open("/dev/null", os.O_RDONLY)
    return attempt(lambda: fcntl.ioctl(fd, number, b"x"))


def ioctl_raw(number):
    fd = os.open("/dev/null", os.O_RDONLY)
    return sys_call(16, fd, number, ctypes.c_char_p(b"x"))


def int80_i386():
    import mmap
    # mov eax, 20 (getpid on i386); int 0x80; ret
    code = b"\xb8\x14\x00\x00\x00\xcd\x80\xc3"
    buf = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    buf.write(code)
    address = ctypes.addressof(ctypes.c_char.from_buffer(buf))
    ctypes.CFUNCTYPE(ctypes.c_int)(address)()
    return "ran"


def inherited_fds():
    kept = []
    for f in sorted(int(f) for f in os.listdir("/proc/self/fd")):
        try:
            os.readlink(f"/proc/self/fd/{f}")  # the descriptor listdir used is gone by now
            kept.append(str(f))
        except FileNotFoundError:
            pass
    return ",".join(kept)


def sock(family, kind=socket.SOCK_STREAM):
    return attempt(lambda: socket.socket(family, kind).close())


def connect_inet(host, port):
    def go():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect((host, port))
    return attempt(go)


def dns_resolve():
    try:
        socket.getaddrinfo("example.com", 80)
        return "resolved"
    except socket.gaierror:
        return "gaierror"
    except OSError as e:
        return err(e)


def unix_connect(address):
    def go():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(address)
    return attempt(go)


def fork_bomb():
    children = 0
    try:
        for _ in range(300):
            pid = os.fork()
            if pid == 0:
                import time
                time.sleep(3)
                os._exit(0)
            children += 1
    except OSError as e:
        return f"{err(e)}:{children}"
    return f"all:{children}"


def mem_bomb():
    try:
        block = bytearray(2 * 1024 * 1024 * 1024)
        return f"allocated:{len(block)}"
    except MemoryError:
        return "MemoryError"


def raise_rlimit():
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard + 1, hard + 1))
        return "raised"
    except (ValueError, OSError):
        return "EPERM"


def disk_fill():
    try:
        with open("/workspace/fill", "wb") as f:
            for _ in range(200):
                f.write(b"\0" * (1 << 20))
        return "filled"
    except OSError as e:
        return err(e)


def inode_fill():
    os.makedirs("/tmp/inodes", exist_ok=True)
    for i in range(50000):
        try:
            open(f"/tmp/inodes/{i}", "w").close()
        except OSError as e:
            return f"{err(e)}:{i}"
    return "all"


def exec_written_binary():
    import shutil, subprocess
    shutil.copy("/bin/true", "/tmp/t")
    os.chmod("/tmp/t", 0o755)
    return "rc=%d" % subprocess.call(["/tmp/t"])


def memfd_exec():
    fd = os.memfd_create("x")
    os.write(fd, open("/bin/true", "rb").read())
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(f"/proc/self/fd/{fd}", ["true"])
        finally:
            os._exit(99)
    return "rc=%d" % os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def setuid_binary():
    import subprocess
    for candidate in ("/usr/bin/mount", "/bin/mount", "/usr/bin/su"):
        if os.path.exists(candidate):
            args = [candidate, "-t", "tmpfs", "none", "/tmp"] if "mount" in candidate else [candidate, "-c", "id -u"]
            rc = subprocess.call(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return "fails" if rc != 0 else "succeeded"
    return "fails"


def uid_map_write():
    def go():
        with open("/proc/self/uid_map", "w") as f:
            f.write("0 0 1\n")
    return attempt(go)


def ctypes_system():
    import subprocess
    out = subprocess.run(["sh", "-c", "id -u"], capture_output=True, text=True)
    return f"uid={out.stdout.strip()}"


def daemonize_escape(marker):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            import time
            os.execv("/bin/sleep", ["sleep", "30", marker]) if os.path.exists("/bin/sleep") else time.sleep(30)
        os._exit(0)
    return "forked"


def splice():
    r, w = os.pipe()
    fd = os.open("/usr/bin/python3", os.O_RDONLY)
    return attempt(lambda: os.splice(fd, w, 1))


def core_limit():
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    return f"{soft}/{hard}"


def bind_proxy_port():
    def go():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 3128))
    return attempt(go)


def environment():
    return ",".join(sorted(f"{k}={v}" for k, v in os.environ.items()))


def http_via_proxy(url):
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return f"{response.status}:{response.read().decode()}"
    except urllib.error.HTTPError as e:
        return f"{e.code}:{e.read().decode().split()[0]}"
    except OSError as e:
        return f"error:{e}"


def connect_tunnel(target):
    # CONNECT through the proxy by hand, then speak plain HTTP inside the tunnel.
    s = socket.create_connection(("127.0.0.1", 3128), timeout=10)
    s.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    head = s.recv(4096).decode()
    status = head.split()[1]
    if status != "200":
        return status
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return "200:" + data.decode().split("\r\n\r\n", 1)[1]


arg = sys.argv[2] if len(sys.argv) > 2 else ""
PROBES = {
    "read_host_secret": lambda: read_path(arg),
    "list_root_home": lambda: attempt(lambda: os.listdir("/root")),
    "read_etc_shadow": lambda: read_path("/etc/shadow"),
    "write_usr": lambda: write_path("/usr/bin/awp-evil"),
    "write_root_fs": lambda: write_path("/evil"),
    "write_python_prefix": lambda: write_path("/usr/lib/python3/dist-packages/evil.pth"),
    "proc_self_exe_write": lambda: attempt(lambda: os.open("/proc/self/exe", os.O_WRONLY)),
    "symlink_escape": lambda: (os.symlink(arg, "/workspace/link"), read_path("/workspace/link"))[1],
    "hardlink_outside": lambda: attempt(lambda: os.link("/usr/bin/python3", "/workspace/hl")),
    "dev_nodes": dev_nodes,
    "dev_mem": lambda: read_path("/dev/mem"),
    "sys_visible": lambda: attempt(lambda: os.listdir("/sys")),
    "proc_sysrq": lambda: attempt(lambda: os.open("/proc/sysrq-trigger", os.O_WRONLY)),
    "proc_core_pattern": proc_core_pattern,
    "proc_pid_count": proc_pid_count,
    "kill_host_pid": lambda: attempt(lambda: os.kill(int(arg), 0)),
    "mknod": mknod,
    "mount_tmpfs": mount_tmpfs,
    "umount_proc": umount_proc,
    "pivot_root": lambda: sys_call(155, ctypes.c_char_p(b"/tmp"), ctypes.c_char_p(b"/tmp")),
    "chroot": lambda: attempt(lambda: os.chroot("/tmp")),
    "unshare_userns": lambda: sys_call(272, 0x10000000),
    "clone_newuser": lambda: sys_call(56, 0x10000000 | 17, 0, 0, 0, 0),
    "clone3": lambda: sys_call(435, ctypes.c_char_p(b"\0" * 88), 88),
    "setns": setns,
    "setuid0": lambda: attempt(lambda: os.setuid(0)),
    "capset": capset,
    "prctl_securebits": lambda: sys_call(157, 28, 0, 0, 0, 0),
    "personality": lambda: sys_call(135, 0x0400000),
    "ptrace_traceme": lambda: sys_call(101, 0, 0, 0, 0),
    "process_vm_readv": lambda: sys_call(310, os.getpid(), 0, 0, 0, 0, 0),
    "bpf": lambda: sys_call(321, 0, 0, 0),
    "perf_event_open": lambda: sys_call(298, 0, 0, -1, -1, 0),
    "userfaultfd": lambda: sys_call(323, 0),
    "io_uring_setup": lambda: sys_call(425, 1, 0),
    "keyctl": lambda: sys_call(250, 0, 0, 0, 0, 0),
    "add_key": lambda: sys_call(248, 0, 0, 0, 0, 0),
    "kexec_load": lambda: sys_call(246, 0, 0, 0, 0),
    "finit_module": lambda: sys_call(313, -1, 0, 0),
    "open_by_handle_at": lambda: sys_call(304, -1, 0, 0),
    "name_to_handle_at": lambda: sys_call(303, -100, ctypes.c_char_p(b"/"), 0, 0, 0),
    "modify_ldt": lambda: sys_call(154, 0, 0, 0),
    "sethostname": lambda: attempt(lambda: socket.sethostname("evil")),
    "settimeofday": lambda: sys_call(164, 0, 0),
    "reboot": lambda: sys_call(169, 0, 0, 0, 0),
    "pidfd_getfd": lambda: sys_call(438, 0, 0, 0),
    "kcmp": lambda: sys_call(312, os.getpid(), os.getpid(), 0, 0, 0),
    "sysv_shm": lambda: sys_call(29, 0, 4096, 0o1000 | 0o600),
    "sched_setaffinity": lambda: attempt(lambda: os.sched_setaffinity(0, {0})),
    "tiocsti": lambda: ioctl(0x5412),
    "tiocsti_highbits": lambda: ioctl_raw(0xFFFFFFFF00005412),
    "tioclinux": lambda: ioctl(0x541C),
    "int80_i386": int80_i386,
    "x32_syscall": lambda: sys_call(0x40000000 | 39),
    "inherited_fds": inherited_fds,
    "sock_inet": lambda: sock(socket.AF_INET),
    "connect_external": lambda: connect_inet("1.1.1.1", 443),
    "connect_host_loopback": lambda: connect_inet("127.0.0.1", int(arg)),
    "dns_resolve": dns_resolve,
    "sock_netlink": lambda: sock(socket.AF_NETLINK, socket.SOCK_RAW),
    "sock_packet": lambda: sock(17, socket.SOCK_RAW),
    "sock_vsock": lambda: sock(40),
    "abstract_unix": lambda: unix_connect("\0" + arg),
    "host_unix_path": lambda: unix_connect(arg),
    "fork_bomb": fork_bomb,
    "mem_bomb": mem_bomb,
    "raise_rlimit": raise_rlimit,
    "cpu_spin": lambda: [None for _ in iter(int, 1)],
    "disk_fill": disk_fill,
    "inode_fill": inode_fill,
    "exec_written_binary": exec_written_binary,
    "memfd_exec": memfd_exec,
    "setuid_binary": setuid_binary,
    "uid_map_write": uid_map_write,
    "ctypes_system": ctypes_system,
    "daemonize_escape": lambda: daemonize_escape(arg),
    "splice": splice,
    "seccomp_stack": lambda: sys_call(317, 2, 0, ctypes.c_char_p(b"\0\0\0\0")),
    "core_limit": core_limit,
    "bind_proxy_port": bind_proxy_port,
    "environment": environment,
    "http_via_proxy": lambda: http_via_proxy(arg),
    "connect_tunnel": lambda: connect_tunnel(arg),
    "output_flood": lambda: [sys.stdout.write("x" * 65536) for _ in range(1 << 16)] and "done",
    "sleep": lambda: __import__("time").sleep(60) or "woke",
}

print("RESULT " + PROBES[sys.argv[1]](), flush=True)
