import AWPCore
import Testing

@Suite struct SHA256Tests {
    /// The example messages of FIPS 180-4 as published by NIST (Cryptographic Standards and Guidelines).
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func matchesTheNISTExampleVectors(message: String, expected: String) {
        #expect(SHA256.hexDigest(of: message) == expected)
        #expect(SHA256.hexDigest(of: Array(message.utf8)) == expected)
    }

    @Test func oneMillionLetterA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hexDigest(of: message) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func streamingInAnyChunkSizesEqualsOneShot() {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let expected = SHA256.digest(of: message)
        for chunk in [1, 3, 55, 56, 63, 64, 65, 127, 128, 999] {
            var hasher = SHA256()
            var start = 0
            while start < message.count {
                let end = min(start + chunk, message.count)
                hasher.update(message[start..<end])
                start = end
            }
            #expect(hasher.finalize() == expected, "chunk size \(chunk)")
        }
    }

    @Test(arguments: [55, 56, 57, 63, 64, 65, 119, 120])
    func paddingBoundariesAgreeWithByteWiseFeeding(length: Int) {
        let message = [UInt8](repeating: 0x61, count: length)
        var hasher = SHA256()
        for byte in message { hasher.update(CollectionOfOne(byte)) }
        #expect(hasher.finalize() == SHA256.digest(of: message))
    }

    @Test func nonContiguousSequencesAreHashedToo() {
        let lazy = (0..<200).lazy.map { UInt8($0) }
        #expect(SHA256.digest(of: lazy) == SHA256.digest(of: Array(lazy)))
    }

    @Test func hexIsLowerCaseTwoDigitsPerByte() {
        #expect(SHA256.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(SHA256.digest(of: []).count == SHA256.digestByteCount)
    }
}
