/// Recognises image files by their first bytes and reads the pixel size where the header makes it cheap.
///
/// Content decides, not the extension: a `.png` that is really a JPEG is described as a JPEG, and a text
/// file named `.jpg` is described as text. Only headers are read, never pixel data.
enum ImageProbe {
    struct Result: Equatable {
        /// Lower-case format name: `png`, `jpeg`, `gif`, `webp`, `bmp`, `tiff`, `heic`, `svg`.
        var format: String
        var width: Int?
        var height: Int?
    }

    /// The image format of `bytes` (the start of a file), or nil when they are not a known image.
    ///
    /// `extension` (lower case, no dot) is consulted only for formats whose signature is too weak to trust
    /// alone: BMP starts with `BM` (so might a text file) and SVG is XML text.
    static func probe(_ bytes: [UInt8], fileExtension: String) -> Result? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            // The IHDR chunk is always first: width and height are big-endian at offsets 16 and 20.
            return Result(format: "png", width: bigEndian(bytes, 16, 4), height: bigEndian(bytes, 20, 4))
        }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            let size = jpegSize(bytes)
            return Result(format: "jpeg", width: size?.width, height: size?.height)
        }
        if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) {
            return Result(format: "gif", width: littleEndian(bytes, 6, 2), height: littleEndian(bytes, 8, 2))
        }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            let size = webpSize(bytes)
            return Result(format: "webp", width: size?.width, height: size?.height)
        }
        if bytes.starts(with: [0x49, 0x49, 0x2A, 0x00]) || bytes.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
            return Result(format: "tiff")
        }
        if bytes.count >= 12, Array(bytes[4..<8]) == Array("ftyp".utf8) {
            let brand = String(decoding: bytes[8..<12], as: UTF8.self)
            if ["heic", "heix", "heif", "mif1", "msf1", "avif"].contains(brand) {
                return Result(format: brand == "avif" ? "avif" : "heic")
            }
        }
        if fileExtension == "bmp", bytes.starts(with: Array("BM".utf8)) {
            // The height is signed: negative means the rows are stored top-down.
            let height = littleEndian(bytes, 22, 4).map { abs(Int(Int32(truncatingIfNeeded: $0))) }
            return Result(format: "bmp", width: littleEndian(bytes, 18, 4), height: height)
        }
        if fileExtension == "ico", bytes.starts(with: [0x00, 0x00, 0x01, 0x00]) {
            return Result(format: "ico")
        }
        if fileExtension == "svg" {
            return Result(format: "svg")
        }
        return nil
    }

    /// Walks the JPEG markers to the first start-of-frame, which holds the size.
    private static func jpegSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        var index = 2
        while index + 9 < bytes.count {
            guard bytes[index] == 0xFF else { return nil }
            let marker = bytes[index + 1]
            if marker == 0xFF {
                index += 1  // fill byte
                continue
            }
            // SOF0…SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard let height = bigEndian(bytes, index + 5, 2), let width = bigEndian(bytes, index + 7, 2) else {
                    return nil
                }
                return (width, height)
            }
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) {
                index += 2  // markers without a length
                continue
            }
            guard let length = bigEndian(bytes, index + 2, 2), length >= 2 else { return nil }
            index += 2 + length
        }
        return nil
    }

    /// The canvas size from the first chunk of a WebP file (`VP8 `, `VP8L` or `VP8X`).
    private static func webpSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.count >= 30 else { return nil }
        switch String(decoding: bytes[12..<16], as: UTF8.self) {
        case "VP8X":
            guard let w = littleEndian(bytes, 24, 3), let h = littleEndian(bytes, 27, 3) else { return nil }
            return (w + 1, h + 1)
        case "VP8L":
            guard bytes[20] == 0x2F, let bits = littleEndian(bytes, 21, 4) else { return nil }
            return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        case "VP8 ":
            guard let w = littleEndian(bytes, 26, 2), let h = littleEndian(bytes, 28, 2) else { return nil }
            return (w & 0x3FFF, h & 0x3FFF)
        default:
            return nil
        }
    }

    private static func bigEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> Int? {
        guard offset >= 0, offset + count <= bytes.count else { return nil }
        return bytes[offset..<(offset + count)].reduce(0) { $0 << 8 | Int($1) }
    }

    private static func littleEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> Int? {
        guard offset >= 0, offset + count <= bytes.count else { return nil }
        return bytes[offset..<(offset + count)].reversed().reduce(0) { $0 << 8 | Int($1) }
    }
}
