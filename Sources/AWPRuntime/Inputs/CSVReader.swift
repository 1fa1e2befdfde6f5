/// Splits delimited text into records, the way RFC 4180 and Python's `csv` module read it.
///
/// - Fields may be quoted with `"`; inside quotes the delimiter, CR and LF are data and `""` is one `"`.
/// - Records end at LF, CRLF or a lone CR; a UTF-8 byte order mark at the start is skipped.
/// - A quote in the middle of an unquoted field is kept literally, and text after a closing quote is
///   appended to the field, as Python's reader does: real files are messy, and a description should
///   show them rather than fail.
///
/// The reader works on bytes, so it never splits a UTF-8 sequence (delimiters and quotes are ASCII).
/// When the buffer is only the start of a file (`isComplete == false`) a record that runs into the end
/// of the buffer is not returned: half a row would distort the column types and the row count.
struct CSVReader {
    private let bytes: [UInt8]
    private let delimiter: UInt8
    private let isComplete: Bool
    /// The offset just past the last record returned.
    private(set) var offset: Int
    /// True once a quoted field ran to the end of a complete file without its closing quote.
    private(set) var sawUnterminatedQuote = false

    private static let quote = UInt8(ascii: "\"")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    init(bytes: [UInt8], delimiter: UInt8, isComplete: Bool) {
        self.bytes = bytes
        self.delimiter = delimiter
        self.isComplete = isComplete
        self.offset = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// The next record, or nil at the end of the data (or of the complete records in a prefix).
    ///
    /// A blank line is returned as `[""]`; callers skip it the way pandas does.
    mutating func next() -> [String]? {
        guard offset < bytes.count else { return nil }
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var atFieldStart = true
        var index = offset
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == Self.quote {
                    if index + 1 < bytes.count && bytes[index + 1] == Self.quote {
                        field.append(Self.quote)
                        index += 2
                        continue
                    }
                    if index + 1 == bytes.count && !isComplete { return nil }  // `""` may straddle the cut
                    inQuotes = false
                } else {
                    field.append(byte)
                }
                index += 1
                continue
            }
            switch byte {
            case Self.quote where atFieldStart:
                inQuotes = true
                atFieldStart = false
                index += 1
            case delimiter:
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                atFieldStart = true
                index += 1
            case Self.lineFeed, Self.carriageReturn:
                index += 1
                if byte == Self.carriageReturn {
                    // A CR at the very end of a prefix may be the first half of CRLF; the LF is then
                    // consumed as a blank line by the next call, which callers skip anyway.
                    if index < bytes.count && bytes[index] == Self.lineFeed { index += 1 }
                }
                fields.append(String(decoding: field, as: UTF8.self))
                offset = index
                return fields
            default:
                field.append(byte)
                atFieldStart = false
                index += 1
            }
        }
        // The data ended inside a record.
        guard isComplete else { return nil }
        if inQuotes { sawUnterminatedQuote = true }
        fields.append(String(decoding: field, as: UTF8.self))
        offset = index
        return fields
    }

    /// True for the record a blank line produces.
    static func isBlank(_ record: [String]) -> Bool {
        record.count == 1 && record[0].isEmpty
    }

    /// One record written back as delimited text, quoting where needed; for previews.
    static func format(_ record: [String], delimiter: UInt8, maximumFieldLength: Int) -> String {
        let separator = String(UnicodeScalar(delimiter))
        return record.map { value in
            let shortened = value.count > maximumFieldLength ? String(value.prefix(maximumFieldLength)) + "…" : value
            let needsQuotes = shortened.utf8.contains {
                $0 == delimiter || $0 == quote || $0 == lineFeed || $0 == carriageReturn
            }
            guard needsQuotes else { return shortened }
            return "\"" + shortened.replacingAll("\"", with: "\"\"") + "\""
        }.joined(separator: separator)
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement` (the stdlib spelling without Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
