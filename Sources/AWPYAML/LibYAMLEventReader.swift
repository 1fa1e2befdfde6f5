internal import CYAML

/// One libyaml parser event, copied into Swift values so that no C memory outlives the call that read it.
enum YAMLEvent {
    case streamStart
    case streamEnd
    case documentStart(mark: YAMLMark)
    case documentEnd
    case alias(anchor: String, mark: YAMLMark)
    case scalar(YAMLScalar, tag: String?, anchor: String?, mark: YAMLMark)
    case sequenceStart(tag: String?, anchor: String?, mark: YAMLMark)
    case sequenceEnd
    case mappingStart(tag: String?, anchor: String?, mark: YAMLMark)
    case mappingEnd
}

/// Owns a libyaml parser and its own copy of the input, and hands out events one at a time.
///
/// Wraps `yaml_parser_parse`. libyaml reads the input lazily while scanning, so the copy must live exactly
/// as long as the parser; both are released together in `deinit`. The class is deliberately not `Sendable`:
/// it is created, drained and dropped inside a single `YAMLParser.parse` call.
///
/// All pointer use is confined to this class, and no pointer escapes it: hence `@safe`.
@safe final class LibYAMLEventReader {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    /// A copy libyaml can point into: a Swift array's storage has no address that outlives one call.
    private let input: UnsafeMutableBufferPointer<UInt8>
    /// The same bytes, shared with the caller's array, for turning a reader error's offset into a mark.
    private let bytes: [UInt8]
    /// False when libyaml could not even allocate its buffers; `next()` then reports that instead of parsing.
    private let initialized: Bool

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        unsafe parser = .allocate(capacity: 1)
        // Never allocate zero bytes: libyaml wants a valid pointer even for an empty string.
        unsafe input = .allocate(capacity: max(bytes.count, 1))
        _ = unsafe input.initialize(from: bytes)
        initialized = unsafe yaml_parser_initialize(parser) != 0
        if initialized {
            unsafe yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
        }
    }

    deinit {
        if initialized {
            unsafe yaml_parser_delete(parser)
        }
        unsafe parser.deallocate()
        unsafe input.deallocate()
    }

    /// The next event; throws libyaml's error, converted, when the text is malformed.
    func next() throws(YAMLError) -> YAMLEvent {
        guard initialized else { throw YAMLError(.tooLarge, "libyaml could not allocate its parser") }
        var event = unsafe yaml_event_t()
        guard unsafe yaml_parser_parse(parser, &event) != 0 else { throw currentError() }
        // Everything the event points to is copied into Swift values before libyaml frees it.
        defer { unsafe yaml_event_delete(&event) }
        return unsafe Self.convert(event)
    }

    private static func convert(_ event: yaml_event_t) -> YAMLEvent {
        let mark = unsafe Self.mark(event.start_mark)
        switch unsafe event.type {
        case YAML_STREAM_START_EVENT:
            return .streamStart
        case YAML_DOCUMENT_START_EVENT:
            return .documentStart(mark: mark)
        case YAML_DOCUMENT_END_EVENT:
            return .documentEnd
        case YAML_ALIAS_EVENT:
            return .alias(anchor: unsafe string(event.data.alias.anchor) ?? "", mark: mark)
        case YAML_SCALAR_EVENT:
            let data = unsafe event.data.scalar
            let bytes = unsafe UnsafeBufferPointer(start: data.value, count: data.length)
            let text = unsafe String(decoding: bytes, as: UTF8.self)
            return unsafe .scalar(
                YAMLScalar(text, style: style(data.style)),
                tag: string(data.tag),
                anchor: string(data.anchor),
                mark: mark
            )
        case YAML_SEQUENCE_START_EVENT:
            let data = unsafe event.data.sequence_start
            return unsafe .sequenceStart(tag: string(data.tag), anchor: string(data.anchor), mark: mark)
        case YAML_SEQUENCE_END_EVENT:
            return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let data = unsafe event.data.mapping_start
            return unsafe .mappingStart(tag: string(data.tag), anchor: string(data.anchor), mark: mark)
        case YAML_MAPPING_END_EVENT:
            return .mappingEnd
        default:
            // YAML_NO_EVENT is only produced after an error, which `next()` has already thrown.
            return .streamEnd
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer = unsafe pointer else { return nil }
        return unsafe String(cString: pointer)
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLScalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }

    /// libyaml counts lines and columns from 0; everything above this file counts from 1.
    private static func mark(_ mark: yaml_mark_t) -> YAMLMark {
        YAMLMark(line: mark.line + 1, column: mark.column + 1)
    }

    private func currentError() -> YAMLError {
        let state = unsafe parser.pointee
        let problem = unsafe state.problem.map { unsafe String(cString: $0) } ?? "unknown libyaml error"
        switch unsafe state.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(.tooLarge, "libyaml ran out of memory")
        case YAML_READER_ERROR:
            // Reader errors carry a byte offset and the offending value instead of a mark.
            var message = problem
            let value = unsafe state.problem_value
            if value >= 0 {
                message += " (\(Self.describeValue(value, isByte: problem.contains("octet"))))"
            }
            let mark = unsafe Self.mark(byteOffset: state.problem_offset, in: bytes)
            return YAMLError(.invalidEncoding, message, at: mark)
        default:
            var message = problem
            if let context = unsafe state.context {
                message += unsafe " (\(String(cString: context)) at \(Self.mark(state.context_mark)))"
            }
            return unsafe YAMLError(.syntax, message, at: Self.mark(state.problem_mark))
        }
    }

    /// A reader error's offending value: a raw byte for UTF-8 decoding errors, a code point otherwise.
    private static func describeValue(_ value: Int32, isByte: Bool) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        if isByte {
            return "byte 0x" + String(repeating: "0", count: max(0, 2 - hex.count)) + hex
        }
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// The 1-based mark of a byte offset, counting columns in characters as libyaml does.
    private static func mark(byteOffset: Int, in bytes: [UInt8]) -> YAMLMark {
        let end = min(byteOffset, bytes.count)
        var line = 1
        var column = 1
        // libyaml drops a UTF-8 byte order mark before it starts counting.
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < end {
            let byte = bytes[index]
            if byte == 0x0A || (byte == 0x0D && (index + 1 >= bytes.count || bytes[index + 1] != 0x0A)) {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 && byte != 0x0D {
                // Continuation bytes belong to the character already counted; CR of a CRLF is not a column.
                column += 1
            }
            index += 1
        }
        return YAMLMark(line: line, column: column)
    }
}
