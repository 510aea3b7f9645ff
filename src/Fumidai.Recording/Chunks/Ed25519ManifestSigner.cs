using NSec.Cryptography;

namespace Fumidai.Recording.Chunks;

/// <summary>An <see cref="IManifestSigner"/> holding a raw Ed25519 key (NSec/libsodium).</summary>
public sealed class Ed25519ManifestSigner : IManifestSigner, IDisposable
{
    private readonly Key _key;

    private Ed25519ManifestSigner(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        KeyId = Ed25519Keys.Fingerprint(PublicKey);
    }

    /// <summary>Imports the 32-byte seed (the first half of OpenSSH's 64-byte Ed25519 private field).</summary>
    public static Ed25519ManifestSigner FromSeed(ReadOnlySpan<byte> seed) =>
        new(Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey));

    /// <summary>A fresh random key (tests, benchmarks).</summary>
    public static Ed25519ManifestSigner Create() => new(Key.Create(SignatureAlgorithm.Ed25519));

    public byte[] PublicKey { get; }

    public string KeyId { get; }

    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(_key, data);

    /// <summary>A verifier for this key's signatures.</summary>
    public Ed25519ManifestVerifier Verifier() => new(PublicKey);

    public void Dispose() => _key.Dispose();
}
