/// The full forms of the standard YAML 1.1 tags this module gives meaning to.
public enum YAMLTag {
    /// `!!str`, also what the non-specific `!` means on a scalar.
    public static let string = "tag:yaml.org,2002:str"
    /// `!!int`
    public static let int = "tag:yaml.org,2002:int"
    /// `!!bool`
    public static let bool = "tag:yaml.org,2002:bool"
    /// `!!float`
    public static let float = "tag:yaml.org,2002:float"
    /// `!!null`
    public static let null = "tag:yaml.org,2002:null"
    /// `!!merge`, which a plain `<<` key resolves to implicitly.
    public static let merge = "tag:yaml.org,2002:merge"
}
