using System.Security.Cryptography;
using NSec.Cryptography;

namespace Fumidai.Ssh.Kex;

/// <summary>X25519 (RFC 7748) via NSec/libsodium, with the peer checks RFC 8731 §3 requires.</summary>
internal static class X25519Agreement
{
    public const int PublicKeySize = 32;

    public const int SharedSecretSize = 32;

    private static readonly KeyAgreementAlgorithm Algorithm = KeyAgreementAlgorithm.X25519;

    /// <summary>A fresh ephemeral private key; it never leaves libsodium's memory.</summary>
    public static Key GenerateKey() => Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });

    public static byte[] PublicKeyOf(Key key) => key.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    /// <summary>Writes the raw 32-byte X25519 output into <paramref name="destination"/>; throws if the peer value is unusable.</summary>
    public static void Agree(string method, Key privateKey, ReadOnlySpan<byte> peerPublic, Span<byte> destination)
    {
        if (peerPublic.Length != PublicKeySize)
            throw KexFailure.InvalidPeerValue(method, "X25519 public key must be 32 bytes");
        if (!PublicKey.TryImport(Algorithm, peerPublic, KeyBlobFormat.RawPublicKey, out var peer) || peer is null)
            throw KexFailure.InvalidPeerValue(method, "X25519 public key rejected");

        // The raw output must be exportable: SSH feeds it to its own hash, not to an NSec KDF.
        var parameters = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        // libsodium refuses (NSec returns null) when the result is all zero, i.e. the peer sent a low-order point.
        using var secret = Algorithm.Agree(privateKey, peer, in parameters)
            ?? throw KexFailure.InvalidPeerValue(method, "X25519 shared secret is all zero");
        if (!secret.TryExport(SharedSecretBlobFormat.RawSharedSecret, destination, out int written) || written != SharedSecretSize)
            throw new CryptographicException("X25519 shared secret export failed");

        // RFC 8731 §3: check again ourselves so the rule does not rest on one library's behaviour.
        if (IsAllZero(destination[..SharedSecretSize]))
        {
            CryptographicOperations.ZeroMemory(destination);
            throw KexFailure.InvalidPeerValue(method, "X25519 shared secret is all zero");
        }
    }

    private static bool IsAllZero(ReadOnlySpan<byte> value)
    {
        // Accumulate instead of returning early, so the time taken says nothing about the secret.
        int acc = 0;
        foreach (byte b in value) acc |= b;
        return acc == 0;
    }
}
