/// One SQLite value: the five storage classes.
package enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    package static func int(_ value: Int) -> SQLValue { .integer(Int64(value)) }

    /// `.null` for nil, else the text.
    package static func optional(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }

    /// `.null` for nil, else the integer.
    package static func optional(_ value: Int?) -> SQLValue { value.map { .integer(Int64($0)) } ?? .null }

    /// `.null` for nil, else the integer.
    package static func optional(_ value: Int64?) -> SQLValue { value.map(SQLValue.integer) ?? .null }

    package static func bool(_ value: Bool) -> SQLValue { .integer(value ? 1 : 0) }
}

/// One result row, read by column name.
///
/// The tables are STRICT, so a column's storage class is fixed by the schema; the accessors
/// therefore convert leniently (NULL reads as 0 or "") and the mapping code states which columns
/// may be NULL by using the `…OrNil` forms.
package struct Row: Sendable {
    /// Column name to index, shared by all rows of one statement.
    let columns: [String: Int]
    package let values: [SQLValue]

    package subscript(_ name: String) -> SQLValue {
        guard let index = columns[name] else { return .null }
        return values[index]
    }

    package func int(_ name: String) -> Int { intOrNil(name) ?? 0 }

    package func intOrNil(_ name: String) -> Int? {
        switch self[name] {
        case .integer(let value): Int(value)
        case .real(let value): Int(value)
        default: nil
        }
    }

    package func int64(_ name: String) -> Int64 { intOrNil(name).map(Int64.init) ?? 0 }

    package func int64OrNil(_ name: String) -> Int64? { intOrNil(name).map(Int64.init) }

    package func double(_ name: String) -> Double {
        switch self[name] {
        case .integer(let value): Double(value)
        case .real(let value): value
        default: 0
        }
    }

    package func text(_ name: String) -> String { textOrNil(name) ?? "" }

    package func textOrNil(_ name: String) -> String? {
        switch self[name] {
        case .text(let value): value
        case .integer(let value): String(value)
        default: nil
        }
    }

    package func bool(_ name: String) -> Bool { int(name) != 0 }

    package func bytes(_ name: String) -> [UInt8] {
        switch self[name] {
        case .blob(let bytes): bytes
        case .text(let text): Array(text.utf8)
        default: []
        }
    }
}
