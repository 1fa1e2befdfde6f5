import AWPCore

/// A recursive-descent parser for the expression subset, following Python's precedence table.
///
/// Constructs outside the whitelist are recognised far enough to name them the way Python's `ast` does
/// (`Call`, `Lambda`, `IfExp`, `ListComp`, `Pow`...) and refused at parse time, anywhere in the
/// expression, even in a branch that short-circuiting would never evaluate. Nesting is bounded twice:
/// a counter on the parser's own recursion (parentheses, brackets, prefix operators) and the height of
/// every node built (long left-associative chains such as `a.b.c…` or `1+1+1…`).
struct ExpressionParser {
    private let tokens: [ExpressionToken]
    private var index = 0
    private var nesting = 0
    private let maximumDepth: Int

    init(tokens: [ExpressionToken], maximumDepth: Int) {
        self.tokens = tokens
        self.maximumDepth = maximumDepth
    }

    /// Parses the whole token list; the top level may be a bare tuple (`a, b`), as in Python's eval mode.
    mutating func parse() throws(ExpressionError) -> ExpressionNode {
        if case .end = current.kind { throw ExpressionError("Empty expression", column: 1) }
        let node = try expressions()
        guard case .end = current.kind else { throw unexpected() }
        return node
    }
}

// MARK: - Precedence levels, loosest first

extension ExpressionParser {
    /// `expression (',' expression)* [',']`: one expression, or a tuple.
    private mutating func expressions() throws(ExpressionError) -> ExpressionNode {
        let column = current.column
        let first = try element()
        guard isSymbol(",") else { return first }
        var items = [first]
        while isSymbol(",") {
            advance()
            if startsExpression { items.append(try element()) } else { break }
        }
        return try make(.list(items), column: column)
    }

    /// An item of a list, tuple or subscript: `*x` is Python's `Starred`.
    private mutating func element() throws(ExpressionError) -> ExpressionNode {
        if isSymbol("*") { throw .disallowed("Starred", column: current.column) }
        return try expression()
    }

    private mutating func expression() throws(ExpressionError) -> ExpressionNode {
        if case .keyword(let word) = current.kind, let construct = ["lambda": "Lambda", "await": "Await", "yield": "Yield"][word] {
            throw .disallowed(construct, column: current.column)
        }
        let node = try disjunction()
        if isKeyword("if") { throw .disallowed("IfExp", column: current.column) }
        if isSymbol(":=") { throw .disallowed("NamedExpr", column: current.column) }
        return node
    }

    private mutating func disjunction() throws(ExpressionError) -> ExpressionNode {
        let column = current.column
        var operands = [try conjunction()]
        while isKeyword("or") {
            advance()
            operands.append(try conjunction())
        }
        return operands.count == 1 ? operands[0] : try make(.or(operands), column: column)
    }

    private mutating func conjunction() throws(ExpressionError) -> ExpressionNode {
        let column = current.column
        var operands = [try inversion()]
        while isKeyword("and") {
            advance()
            operands.append(try inversion())
        }
        return operands.count == 1 ? operands[0] : try make(.and(operands), column: column)
    }

    private mutating func inversion() throws(ExpressionError) -> ExpressionNode {
        guard isKeyword("not") else { return try comparison() }
        let column = current.column
        advance()
        try enter(column: column)
        defer { nesting -= 1 }
        return try make(.not(try inversion()), column: column)
    }

    private mutating func comparison() throws(ExpressionError) -> ExpressionNode {
        let column = current.column
        let first = try sum()
        try rejectBitwiseOperator()
        var steps: [(ComparisonOperator, ExpressionNode)] = []
        while let op = comparisonOperator() {
            steps.append((op, try sum()))
            try rejectBitwiseOperator()
        }
        return steps.isEmpty ? first : try make(.comparison(first, steps), column: column)
    }

    /// Consumes a comparison operator if one is next (`not in` and `is not` are two tokens).
    private mutating func comparisonOperator() -> ComparisonOperator? {
        let simple: [String: ComparisonOperator] = [
            "==": .equal, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
        ]
        if case .symbol(let symbol) = current.kind, let op = simple[symbol] {
            advance()
            return op
        }
        if isKeyword("in") {
            advance()
            return .in
        }
        if isKeyword("not"), case .keyword("in") = peek.kind {
            advance(2)
            return .notIn
        }
        if isKeyword("is") {
            advance()
            if isKeyword("not") {
                advance()
                return .isNot
            }
            return .is
        }
        return nil
    }

    private mutating func sum() throws(ExpressionError) -> ExpressionNode {
        var node = try term()
        while case .symbol(let symbol) = current.kind, let op = ["+": BinaryOperator.add, "-": .subtract][symbol] {
            let column = current.column
            advance()
            node = try make(.binary(op, node, try term()), column: column)
        }
        return node
    }

    private mutating func term() throws(ExpressionError) -> ExpressionNode {
        var node = try factor()
        let operators: [String: BinaryOperator] = ["*": .multiply, "/": .divide, "//": .floorDivide, "%": .modulo]
        while true {
            if isSymbol("@") { throw .disallowed("MatMult", column: current.column) }
            guard case .symbol(let symbol) = current.kind, let op = operators[symbol] else { return node }
            let column = current.column
            advance()
            node = try make(.binary(op, node, try factor()), column: column)
        }
    }

    private mutating func factor() throws(ExpressionError) -> ExpressionNode {
        let column = current.column
        if isSymbol("~") { throw .disallowed("Invert", column: column) }
        guard case .symbol(let symbol) = current.kind, let op = UnaryOperator(rawValue: symbol) else {
            return try power()
        }
        advance()
        try enter(column: column)
        defer { nesting -= 1 }
        return try make(.unary(op, try factor()), column: column)
    }

    private mutating func power() throws(ExpressionError) -> ExpressionNode {
        let node = try primary()
        if isSymbol("**") { throw .disallowed("Pow", column: current.column) }
        return node
    }

    /// Binary operators Python places between comparisons and sums; none is whitelisted.
    private func rejectBitwiseOperator() throws(ExpressionError) {
        let names = ["|": "BitOr", "^": "BitXor", "&": "BitAnd", "<<": "LShift", ">>": "RShift"]
        if case .symbol(let symbol) = current.kind, let name = names[symbol] {
            throw .disallowed(name, column: current.column)
        }
    }
}

// MARK: - Primaries and atoms

extension ExpressionParser {
    /// An atom followed by any number of `.name`, `[index]` and (for `len` only) `(argument)`.
    private mutating func primary() throws(ExpressionError) -> ExpressionNode {
        var node = try atom()
        while true {
            let column = current.column
            if isSymbol(".") {
                advance()
                guard case .name(let name) = current.kind else { throw unexpected() }
                advance()
                node = try make(.attribute(node, name), column: column)
            } else if isSymbol("[") {
                advance()
                try enter(column: column)
                defer { nesting -= 1 }
                if isSymbol(":") { throw .disallowed("Slice", column: current.column) }
                let index = try expressions()
                if isSymbol(":") { throw .disallowed("Slice", column: current.column) }
                try expect("]")
                node = try make(.subscript(node, index: index), column: column)
            } else if isSymbol("(") {
                guard case .name("len") = node.kind else { throw .disallowed("Call", column: column) }
                advance()
                try enter(column: column)
                defer { nesting -= 1 }
                node = try make(.length(try lengthArgument()), column: node.column)
            } else {
                return node
            }
        }
    }

    /// The inside of `len(…)` after the opening parenthesis: exactly one positional argument.
    private mutating func lengthArgument() throws(ExpressionError) -> ExpressionNode {
        var arguments: [ExpressionNode] = []
        while !isSymbol(")") {
            if isSymbol("**") || (current.kind.isName && peek.kind == .symbol("=")) {
                throw ExpressionError("len() takes no keyword arguments", column: current.column)
            }
            arguments.append(try element())
            if isKeyword("for") || isKeyword("async") { throw .disallowed("GeneratorExp", column: current.column) }
            guard isSymbol(",") else { break }
            advance()
        }
        try expect(")")
        guard arguments.count == 1 else {
            throw ExpressionError("len() takes exactly one argument (\(arguments.count) given)", column: current.column)
        }
        return arguments[0]
    }

    private mutating func atom() throws(ExpressionError) -> ExpressionNode {
        let token = current
        switch token.kind {
        case .integer(let value):
            advance()
            return try make(.literal(.integer(value)), column: token.column)
        case .float(let value):
            advance()
            return try make(.literal(.number(value)), column: token.column)
        case .string(var text):
            advance()
            // Adjacent literals concatenate, as in Python: 'a' "b" is 'ab'.
            while case .string(let more) = current.kind {
                text += more
                advance()
            }
            return try make(.literal(.string(text)), column: token.column)
        case .name(let name):
            advance()
            // Our extension: JSON/YAML spellings of the constants, as well as Python's.
            let constants: [String: JSONValue] = ["true": .bool(true), "false": .bool(false), "null": .null]
            return try make(constants[name].map { .literal($0) } ?? .name(name), column: token.column)
        case .keyword(let word):
            let constants: [String: JSONValue] = ["True": .bool(true), "False": .bool(false), "None": .null]
            if let constant = constants[word] {
                advance()
                return try make(.literal(constant), column: token.column)
            }
            if let construct = ["lambda": "Lambda", "await": "Await", "yield": "Yield"][word] {
                throw .disallowed(construct, column: token.column)
            }
            throw unexpected()
        case .symbol("("):
            return try parenthesized()
        case .symbol("["):
            return try listDisplay()
        case .symbol("{"):
            throw .disallowed(try braceConstruct(), column: token.column)
        case .symbol("..."):
            throw .disallowed("Ellipsis", column: token.column)
        case .symbol("*"):
            throw .disallowed("Starred", column: token.column)
        default:
            throw unexpected()
        }
    }

    /// `()`, `(x)`, `(x,)`, `(x, y)`; a `for` after the first item makes it a generator expression.
    private mutating func parenthesized() throws(ExpressionError) -> ExpressionNode {
        let column = current.column
        advance()
        try enter(column: column)
        defer { nesting -= 1 }
        if isSymbol(")") {
            advance()
            return try make(.list([]), column: column)
        }
        let first = try element()
        if isKeyword("for") || isKeyword("async") { throw .disallowed("GeneratorExp", column: current.column) }
        if isSymbol(")") {
            advance()
            return first
        }
        guard isSymbol(",") else { throw unexpected() }
        var items = [first]
        while isSymbol(",") {
            advance()
            if isSymbol(")") { break }
            items.append(try element())
        }
        try expect(")")
        return try make(.list(items), column: column)
    }

    private mutating func listDisplay() throws(ExpressionError) -> ExpressionNode {
        let column = current.column
        advance()
        try enter(column: column)
        defer { nesting -= 1 }
        var items: [ExpressionNode] = []
        while !isSymbol("]") {
            items.append(try element())
            if isKeyword("for") || isKeyword("async") { throw .disallowed("ListComp", column: current.column) }
            guard isSymbol(",") else { break }
            advance()
        }
        try expect("]")
        return try make(.list(items), column: column)
    }

    /// Works out which of Python's brace constructs this is, only to name it in the error.
    private mutating func braceConstruct() throws(ExpressionError) -> String {
        advance()
        try enter(column: current.column)
        if isSymbol("}") || isSymbol("**") { return "Dict" }
        _ = try element()
        let isComprehension = { (parser: ExpressionParser) in parser.isKeyword("for") || parser.isKeyword("async") }
        if isComprehension(self) { return "SetComp" }
        guard isSymbol(":") else { return "Set" }
        advance()
        _ = try expression()
        return isComprehension(self) ? "DictComp" : "Dict"
    }
}

// MARK: - Token helpers

extension ExpressionParser {
    private var current: ExpressionToken { tokens[index] }
    private var peek: ExpressionToken { tokens[min(index + 1, tokens.count - 1)] }

    private mutating func advance(_ count: Int = 1) {
        index = min(index + count, tokens.count - 1)
    }

    private func isSymbol(_ symbol: String) -> Bool { current.kind == .symbol(symbol) }
    private func isKeyword(_ word: String) -> Bool { current.kind == .keyword(word) }

    /// Whether the current token can begin an operand (so a trailing comma ends a tuple).
    private var startsExpression: Bool {
        switch current.kind {
        case .end: false
        case .symbol(let symbol): ["(", "[", "{", "-", "+", "~", "*", "..."].contains(symbol)
        case .keyword(let word): ["not", "lambda", "await", "yield", "True", "False", "None"].contains(word)
        default: true
        }
    }

    private mutating func expect(_ symbol: String) throws(ExpressionError) {
        guard isSymbol(symbol) else { throw unexpected() }
        advance()
    }

    private func unexpected() -> ExpressionError {
        let found: String =
            switch current.kind {
            case .end: "end of expression"
            case .integer(let value): "number \(value)"
            case .float(let value): "number \(value)"
            case .string: "string literal"
            case .name(let name): "name '\(name)'"
            case .keyword(let word), .symbol(let word): "'\(word)'"
            }
        return ExpressionError("Invalid syntax: unexpected \(found)", column: current.column)
    }

    /// Counts one level of the parser's own recursion.
    private mutating func enter(column: Int) throws(ExpressionError) {
        nesting += 1
        if nesting > maximumDepth { throw Self.tooDeep(maximumDepth, column: column) }
    }

    private func make(_ kind: ExpressionNode.Kind, column: Int) throws(ExpressionError) -> ExpressionNode {
        let node = ExpressionNode(kind, column: column)
        if node.height > maximumDepth { throw Self.tooDeep(maximumDepth, column: column) }
        return node
    }

    static func tooDeep(_ limit: Int, column: Int) -> ExpressionError {
        ExpressionError("Expression is nested too deeply (more than \(limit) levels)", column: column)
    }
}

extension ExpressionToken.Kind {
    fileprivate var isName: Bool {
        if case .name = self { return true }
        return false
    }
}
