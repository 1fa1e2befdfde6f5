extension Duration {
    /// The duration in whole milliseconds, rounded toward zero: how manifests and wire fields
    /// (`requestMs`, `retryAfterMs`) spell durations.
    public var wholeMilliseconds: Int {
        Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
    }
}
