/// The Python side of a warm executor: a loop that reads one JSON request per line on stdin, runs the snippet
/// in a namespace kept for the executor's lifetime, and answers one JSON line on the original stdout.
///
/// The snippet's own stdout and stderr (including subprocesses it starts) go to files in the sandbox's
/// private /tmp, read back up to a cap, so nothing the snippet prints can corrupt the protocol. A soft
/// per-snippet timeout raises inside the snippet; the host kills the whole sandbox if that is ignored.
enum ExecutorServer {
    static let source = #"""
import json, os, signal, sys, time, traceback

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 1048576
requests = os.fdopen(os.dup(0), "rb")
replies = os.fdopen(os.dup(1), "wb")
quiet = os.open("/dev/null", os.O_RDONLY)
os.dup2(quiet, 0)
namespace = {"__name__": "__main__"}


class SnippetTimeout(BaseException):
    pass


def on_alarm(signum, frame):
    raise SnippetTimeout()


signal.signal(signal.SIGALRM, on_alarm)


def capture(path):
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)


def take(fd):
    size = os.fstat(fd).st_size
    data = os.pread(fd, min(size, LIMIT), 0)
    os.close(fd)
    return data.decode("utf-8", "replace"), size > LIMIT


replies.write(b'{"ready":true}\n')
replies.flush()
for line in requests:
    request = json.loads(line)
    out, err = capture("/tmp/.awp-stdout"), capture("/tmp/.awp-stderr")
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(out, 1)
    os.dup2(err, 2)
    started = time.perf_counter()
    error, timed_out = None, False
    try:
        signal.setitimer(signal.ITIMER_REAL, max(0.001, request.get("timeout", 30)))
        exec(compile(request["code"], "<snippet>", "exec"), namespace)
    except SnippetTimeout:
        timed_out = True
        error = "TimeoutError: the snippet ran longer than its time limit"
    except SystemExit as exit:
        error = None if exit.code in (None, 0) else "SystemExit: %s" % (exit.code,)
    except BaseException:
        error = traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    stdout, cut_out = take(out)
    stderr, cut_err = take(err)
    reply = {"id": request.get("id"), "ok": error is None, "stdout": stdout, "stderr": stderr, "error": error,
             "timedOut": timed_out, "truncated": cut_out or cut_err,
             "durationMs": (time.perf_counter() - started) * 1000}
    replies.write(json.dumps(reply).encode() + b"\n")
    replies.flush()
"""#
}
