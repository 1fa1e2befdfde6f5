public import AWPCore

/// Looking up a model's limits and prices by the id a request names.
extension Array where Element == ModelInfo {
    /// The entry for `id`: an exact match, else the longest id that `id` extends with a `-` suffix
    /// (a dated snapshot such as `claude-sonnet-4-5-20250929` or `gemini-2.5-flash-001`).
    public func matching(_ id: String?) -> ModelInfo? {
        guard let id else { return nil }
        if let exact = first(where: { $0.id == id }) { return exact }
        return filter { id.hasPrefix($0.id + "-") }.max { $0.id.count < $1.id.count }
    }
}
