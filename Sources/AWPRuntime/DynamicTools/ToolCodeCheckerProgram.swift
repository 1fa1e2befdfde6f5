/// The Python program behind `ToolCodeChecker`, run as `python3 -I -S -c <source>` inside the sandbox.
///
/// It is kept as a string constant so that the runtime needs no resource files. Python's own `ast` module does
/// the parsing, so we see exactly the syntax the interpreter will accept. The program never imports, compiles
/// or runs the code it checks. Protocol: stdin carries `{"code", "capabilities", "parameters"}` as JSON,
/// and stdout gets one line `{"issues": [{"code", "category", "message", "line"}], "total": n}` with
/// at most 100 issues, sorted by line (issues without a line come last).
enum ToolCodeCheckerProgram {
    static let source = #"""
# Static check of a worker-written dynamic tool (AWP digest §D.8.3). Reads {"code", "capabilities",
# "parameters"} as JSON on stdin and prints {"issues": [...], "total": n} as one JSON line. It only
# parses the code with `ast`; it never imports, compiles or runs it.
import ast
import json
import sys

ALWAYS_DENIED = {"os", "subprocess", "sys", "ctypes", "importlib", "signal", "multiprocessing"}
BASELINE = ALWAYS_DENIED | {
    "shutil", "socket", "pathlib", "glob", "tempfile", "threading", "asyncio", "http", "urllib", "requests", "httpx",
}
NETWORK = {"socket", "http", "urllib", "requests", "httpx", "asyncio"}
FILESYSTEM = {"pathlib", "glob", "shutil", "tempfile"}
DANGEROUS_CALLS = {"eval", "exec", "compile", "__import__", "breakpoint"}
ATTRIBUTE_FUNCTIONS = {"getattr", "setattr", "delattr"}
ALLOWED_DUNDERS = {"__name__", "__doc__"}
IMPLICIT_PARAMETERS = {"_secrets", "_workspace_dir", "_output_dir"}
KWARGS_READERS = {"get", "pop", "setdefault"}
REGEX_MODULES = {"re", "regex"}
MAX_ISSUES = 100


def is_dunder(name):
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def literal_string(node, depth=0):
    """The value of a string built only from literals ("__imp" + "ort__", f"{'ev'}al"), else None."""
    if depth > 50:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = literal_string(node.left, depth + 1)
        right = literal_string(node.right, depth + 1) if left is not None else None
        return None if right is None else left + right
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                if value.conversion != -1 or value.format_spec is not None:
                    return None
                value = value.value
            part = literal_string(value, depth + 1)
            if part is None:
                return None
            parts.append(part)
        return "".join(parts)
    return None


def own_nodes(function):
    """Nodes of a function's body, not descending into nested functions, lambdas or classes."""
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    stack = [node for node in function.body if not isinstance(node, scopes)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, scopes))


class Checker:
    def __init__(self, capabilities, parameters):
        self.capabilities = capabilities
        self.parameters = parameters
        denied = set(BASELINE)
        if "network" in capabilities:
            denied -= NETWORK
        if "filesystem" in capabilities:
            denied -= FILESYSTEM
        self.denied = denied | ALWAYS_DENIED
        self.issues = []

    def add(self, code, category, message, node=None):
        line = getattr(node, "lineno", None) if node is not None else None
        self.issues.append({"code": code, "category": category, "message": message, "line": line})

    def run(self, code):
        try:
            tree = ast.parse(code, filename="<tool>", mode="exec")
        except SyntaxError as error:
            self.issues.append({
                "code": 400, "category": "validation", "message": "syntax error: %s" % error.msg,
                "line": error.lineno if isinstance(error.lineno, int) else None,
            })
            return
        except (MemoryError, RecursionError):
            self.add(400, "validation", "the code is too large or too deeply nested to check; simplify it")
            return
        except ValueError as error:  # null bytes (Python 3.11; later versions raise SyntaxError)
            self.add(400, "validation", "the code cannot be parsed: %s" % error)
            return
        self.check_security(tree)
        self.check_handler(tree)

    # Imports, dangerous calls and dunder access anywhere in the module.
    def check_security(self, tree):
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    aliases[alias.asname or alias.name.split(".")[0]] = alias.name.split(".")[0]
        reported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.check_import(alias.name, node)
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0 and node.module:
                    self.check_import(node.module, node)
            elif isinstance(node, ast.Call):
                self.check_call(node, aliases, reported)
            elif isinstance(node, ast.Attribute):
                if is_dunder(node.attr) and node.attr not in ALLOWED_DUNDERS and id(node) not in reported:
                    self.add(403, "import", "access to the attribute '%s' is not allowed" % node.attr, node)
            elif isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load) and is_dunder(node.id) and node.id not in ALLOWED_DUNDERS \
                        and id(node) not in reported:
                    self.add(403, "import", "use of '%s' is not allowed" % node.id, node)

    def check_import(self, module, node):
        root = module.split(".")[0]
        if root not in self.denied:
            return
        capabilities = ", ".join(sorted(self.capabilities)) or "compute"
        if root in NETWORK and root not in ALWAYS_DENIED:
            hint = "it needs the namespace's 'network' capability"
        elif root in FILESYSTEM:
            hint = "it needs the namespace's 'filesystem' capability; or read and write files with open() " \
                   "under _workspace_dir and _output_dir"
        elif root in ("os", "shutil"):
            hint = "read and write files with open() under _workspace_dir and _output_dir"
        elif root in ("subprocess", "multiprocessing", "signal", "threading"):
            hint = "tools cannot start processes or threads or handle signals; compute in the handler itself"
        else:
            hint = "this module is never available to tools"
        self.add(403, "import", "import of '%s' is not allowed in this namespace (capabilities: %s); %s"
                 % (root, capabilities, hint), node)

    def check_call(self, node, aliases, reported):
        function = node.func
        name = None
        if isinstance(function, ast.Name):
            name = function.id
        elif isinstance(function, ast.Attribute):
            name = function.attr
            # re.compile is a regular expression, not the builtin compile().
            if name == "compile" and isinstance(function.value, ast.Name) \
                    and aliases.get(function.value.id) in REGEX_MODULES:
                return
        if name in DANGEROUS_CALLS:
            reported.add(id(function))
            self.add(403, "import", "call to %s() is not allowed" % name, node)
        elif name in ATTRIBUTE_FUNCTIONS and len(node.args) >= 2:
            attribute = literal_string(node.args[1])
            if attribute is not None and (attribute in DANGEROUS_CALLS
                                          or (is_dunder(attribute) and attribute not in ALLOWED_DUNDERS)):
                self.add(403, "import", "%s() with the attribute name '%s' is not allowed" % (name, attribute), node)

    # The handler: defined once, callable with keyword arguments, returns a value, reads only declared parameters.
    def check_handler(self, tree):
        handlers = [node for node in tree.body
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "handler"]
        if not handlers:
            self.add(400, "validation",
                     "no top-level handler function; define def handler(*, <parameters>) returning a dict")
            return
        if len(handlers) > 1:
            lines = ", ".join(str(node.lineno) for node in handlers)
            self.add(400, "validation", "handler is defined %d times (lines %s); define it once"
                     % (len(handlers), lines), handlers[1])
        handler = handlers[-1]
        if isinstance(handler, ast.AsyncFunctionDef):
            self.add(400, "validation", "handler must be a plain def, not async def: the runtime calls it directly",
                     handler)
        arguments = handler.args
        positional = list(arguments.posonlyargs) + list(arguments.args)
        if positional and not arguments.kwonlyargs and arguments.kwarg is None:
            names = ", ".join(argument.arg for argument in positional)
            self.add(400, "validation", "handler takes positional parameters (%s); make them keyword-only: "
                     "def handler(*, %s)" % (names, names), handler)
        if not any(isinstance(node, ast.Return) and node.value is not None for node in own_nodes(handler)):
            self.add(400, "validation", "handler never returns a value; return the result dict", handler)
        reads = [(argument.arg, argument) for argument in positional + list(arguments.kwonlyargs)]
        if arguments.kwarg is not None:
            reads += self.kwargs_reads(handler, arguments.kwarg.arg)
        properties = ", ".join(sorted(self.parameters)) or "none"
        seen = set()
        for name, node in reads:
            if name in self.parameters or name in IMPLICIT_PARAMETERS or name in seen:
                continue
            seen.add(name)
            self.add(400, "schema_mismatch", "handler reads the parameter '%s', which is not a property of the "
                     "tool's parameters schema (properties: %s)" % (name, properties), node)

    @staticmethod
    def kwargs_reads(handler, kwargs):
        """Keys read as kwargs["x"] or kwargs.get/pop/setdefault("x")."""
        reads = []
        for node in ast.walk(handler):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == kwargs:
                key = literal_string(node.slice)
                if key is not None:
                    reads.append((key, node))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in KWARGS_READERS and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id == kwargs and node.args:
                key = literal_string(node.args[0])
                if key is not None:
                    reads.append((key, node))
        return reads


def main():
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    checker = Checker(set(request.get("capabilities", [])), set(request.get("parameters", [])))
    checker.run(request["code"])
    issues = sorted(checker.issues, key=lambda issue: (issue["line"] is None, issue["line"] or 0))
    sys.stdout.write(json.dumps({"issues": issues[:MAX_ISSUES], "total": len(issues)}) + "\n")


main()
"""#
}
