internal import AWPCore

/// What a model needs to know about a CSV or TSV file before writing code against it: the header,
/// the row count, the first rows, and per column an inferred type with min, max and mean for numbers.
struct CSVSummary {
    /// The rows shown in the preview and in `head`.
    static let headRows = 3

    var columns: [String] = []
    /// Data rows (blank lines not counted) in the bytes read.
    var rowsRead = 0
    /// False when only a prefix of the file was read; `rowsRead` then counts the rows in that prefix.
    var isComplete = true
    /// Where the last complete record ended, to scale an estimate for a partly read file.
    var bytesRead = 0
    var head: [[String]] = []
    var columnStats: [ColumnStats] = []
    /// Rows whose field count differs from the header's.
    var irregularRows = 0
    var unterminatedQuote = false

    /// How one column's values look.
    struct ColumnStats {
        var name: String
        var integers = 0
        var numbers = 0
        var strings = 0
        var missing = 0
        var integerMinimum = Int.max
        var integerMaximum = Int.min
        var minimum = Double.infinity
        var maximum = -Double.infinity
        var sum = 0.0

        /// `integer` when every present value is an integer, `number` when every one is numeric, else `string`.
        var type: String {
            if strings > 0 || integers + numbers == 0 { return "string" }
            return numbers == 0 ? "integer" : "number"
        }

        /// Values that mean "no value" to pandas' default reader, so they do not make a numeric column a string one.
        private static let missingSpellings: Set<String> = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "none"]

        mutating func add(_ raw: String) {
            let value = raw.trimmingASCIISpaces
            if Self.missingSpellings.contains(value) {
                missing += 1
            } else if let integer = Int(value) {
                integers += 1
                integerMinimum = min(integerMinimum, integer)
                integerMaximum = max(integerMaximum, integer)
                record(Double(integer))
            } else if Self.looksDecimal(value), let number = Double(value), number.isFinite {
                numbers += 1
                record(number)
            } else {
                strings += 1
            }
        }

        private mutating func record(_ number: Double) {
            minimum = min(minimum, number)
            maximum = max(maximum, number)
            sum += number
        }

        /// Digits, sign, point and exponent only: `Double` alone also accepts `inf`, `nan` and hex floats.
        private static func looksDecimal(_ text: String) -> Bool {
            text.utf8.allSatisfy {
                SecretStore.isASCIIDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
                    || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E")
            }
        }

        var json: JSONValue {
            var pairs: [(key: String, value: JSONValue)] = [("name", .string(name)), ("type", .string(type))]
            let count = integers + numbers
            if type != "string" && count > 0 {
                if type == "integer" {
                    pairs += [("min", .integer(integerMinimum)), ("max", .integer(integerMaximum))]
                } else {
                    pairs += [("min", .number(minimum)), ("max", .number(maximum))]
                }
                pairs.append(("mean", .number(sum / Double(count))))
            }
            pairs.append(("missing", .integer(missing)))
            return .object(pairs)
        }
    }

    /// Reads every complete record in `bytes`.
    init(bytes: [UInt8], delimiter: UInt8, isComplete: Bool) {
        var reader = CSVReader(bytes: bytes, delimiter: delimiter, isComplete: isComplete)
        self.isComplete = isComplete
        var sawHeader = false
        while let record = reader.next() {
            if CSVReader.isBlank(record) { continue }
            if !sawHeader {
                sawHeader = true
                columns = record
                columnStats = record.map { ColumnStats(name: $0) }
                bytesRead = reader.offset
                continue
            }
            rowsRead += 1
            if head.count < Self.headRows { head.append(record) }
            if record.count != columns.count { irregularRows += 1 }
            for (index, value) in record.prefix(columns.count).enumerated() { columnStats[index].add(value) }
            // A short row leaves its last columns without a value.
            for index in record.count..<max(record.count, columns.count) { columnStats[index].missing += 1 }
            bytesRead = reader.offset
        }
        unterminatedQuote = reader.sawUnterminatedQuote
    }

    /// An extrapolated row count for a file of `fileSize` bytes of which only a prefix was read.
    func estimatedRows(fileSize: Int) -> Int? {
        guard !isComplete, bytesRead > 0, rowsRead > 0 else { return nil }
        return Int((Double(rowsRead) * Double(fileSize) / Double(bytesRead)).rounded())
    }

    func preview(delimiter: UInt8) -> String {
        ([columns] + head).map { CSVReader.format($0, delimiter: delimiter, maximumFieldLength: 60) }
            .joined(separator: "\n")
    }

    func schema(fileSize: Int) -> JSONValue {
        var pairs: [(key: String, value: JSONValue)] = [
            ("columns", .array(columnStats.map(\.json))),
            ("row_count", isComplete ? .integer(rowsRead) : .null),
        ]
        if !isComplete {
            pairs.append(("rows_scanned", .integer(rowsRead)))
            if let estimate = estimatedRows(fileSize: fileSize) { pairs.append(("row_count_estimate", .integer(estimate))) }
        }
        pairs.append(("head", .array(head.map { .array($0.map { .string($0) }) })))
        if irregularRows > 0 { pairs.append(("irregular_rows", .integer(irregularRows))) }
        if unterminatedQuote { pairs.append(("unterminated_quote", .bool(true))) }
        return .object(pairs)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingASCIISpaces: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[start...end])
    }
}
