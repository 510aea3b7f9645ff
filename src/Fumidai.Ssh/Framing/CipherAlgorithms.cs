using System.Diagnostics.CodeAnalysis;

namespace Fumidai.Ssh.Framing;

/// <summary>The encryption algorithms Fumidai implements, by SSH name, and the default offer.</summary>
public static class CipherAlgorithms
{
    private static readonly CipherAlgorithm[] All =
    [
        ChaCha20Poly1305CipherAlgorithm.Instance,
        AesGcmCipherAlgorithm.Aes256,
        AesGcmCipherAlgorithm.Aes128,
        AesCtrCipherAlgorithm.Aes256,
        AesCtrCipherAlgorithm.Aes128,
    ];

    /// <summary>Every implemented cipher, in preference order.</summary>
    public static IReadOnlyList<string> AllNames { get; } = Array.AsReadOnly(All.Select(a => a.Name).ToArray());

    /// <summary>The default offer: AEAD ciphers only (the strong subset); CTR is opt-in by configuration.</summary>
    public static IReadOnlyList<string> DefaultNames { get; } = Array.AsReadOnly(All.Where(a => a.IsAead).Select(a => a.Name).ToArray());

    internal static bool TryGet(string name, [MaybeNullWhen(false)] out CipherAlgorithm algorithm)
    {
        algorithm = Array.Find(All, a => string.Equals(a.Name, name, StringComparison.Ordinal));
        return algorithm is not null;
    }
}
