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

    /// <summary>
    /// What our client role offers first: with hardware AES and carry-less multiplication AES-GCM (several times faster than
    /// ChaCha20-Poly1305 and constant-time there), else ChaCha20-Poly1305, as OpenSSH prefers where AES would run in software.
    /// The client's order decides, so this governs the bastion's links to targets and an agent's link to the bastion.
    /// </summary>
    public static IReadOnlyList<string> ClientDefaultNames { get; } = Array.AsReadOnly(HardwareAesGcm
        ? [AesGcmCipherAlgorithm.Aes128.Name, AesGcmCipherAlgorithm.Aes256.Name, ChaCha20Poly1305CipherAlgorithm.Instance.Name]
        : DefaultNames.ToArray());

    /// <summary>True when this CPU runs AES-GCM in hardware.</summary>
    public static bool HardwareAesGcm =>
        (System.Runtime.Intrinsics.X86.Aes.IsSupported && System.Runtime.Intrinsics.X86.Pclmulqdq.IsSupported)
        || System.Runtime.Intrinsics.Arm.Aes.IsSupported; // the Arm AES set includes the polynomial multiply GCM needs

    internal static bool TryGet(string name, [MaybeNullWhen(false)] out CipherAlgorithm algorithm)
    {
        algorithm = Array.Find(All, a => string.Equals(a.Name, name, StringComparison.Ordinal));
        return algorithm is not null;
    }
}
