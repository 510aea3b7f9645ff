using NSec.Cryptography;

namespace Fumidai.Ssh.Keys;

/// <summary>An <c>ssh-ed25519</c> private key held by libsodium through NSec.</summary>
public sealed class Ed25519PrivateKey : SshPrivateKey
{
    public const int SeedLength = 32;
    private static readonly string[] Algorithms = [SshKeyTypes.Ed25519];

    private readonly Key _key;
    private readonly Ed25519PublicKey _public;

    private Ed25519PrivateKey(Key key)
    {
        _key = key;
        _public = new Ed25519PublicKey(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>Makes a new random key.</summary>
    public static Ed25519PrivateKey Create() =>
        new(Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <summary>Imports the 32-byte seed (the first half of OpenSSH's 64-byte private key field).</summary>
    public static Ed25519PrivateKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedLength) throw new ArgumentException("an Ed25519 seed is 32 bytes", nameof(seed));
        return new(Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
    }

    /// <summary>Imports a PKCS#8 (RFC 8410) Ed25519 private key.</summary>
    internal static Ed25519PrivateKey FromPkcs8(ReadOnlySpan<byte> der) =>
        new(Key.Import(SignatureAlgorithm.Ed25519, der, KeyBlobFormat.PkixPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    public override SshPublicKey PublicKey => _public;

    public override IReadOnlyList<string> SignatureAlgorithms => Algorithms;

    public override byte[] Sign(string signatureAlgorithm, ReadOnlySpan<byte> data)
    {
        if (signatureAlgorithm != SshKeyTypes.Ed25519)
            throw new ArgumentException("an Ed25519 key signs only with ssh-ed25519", nameof(signatureAlgorithm));
        return SshSignature.Encode(SshKeyTypes.Ed25519, SignatureAlgorithm.Ed25519.Sign(_key, data));
    }

    /// <summary>The seed, for writing key files; the caller must clear it.</summary>
    internal byte[] ExportSeed() => _key.Export(KeyBlobFormat.RawPrivateKey);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _key.Dispose();
        base.Dispose(disposing);
    }
}
