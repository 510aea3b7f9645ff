using System.Collections.Frozen;

namespace Fumidai.Ssh.Kex;

/// <summary>The key-exchange methods Fumidai implements, by their KEXINIT names.</summary>
public static class KeyExchangeMethods
{
    private static readonly KeyExchangeMethod[] All =
    [
        MlKem768X25519Sha256.Instance,
        Curve25519Sha256.Standard,
        Curve25519Sha256.Libssh,
        EcdhSha2Nist.P256,
        EcdhSha2Nist.P384,
        EcdhSha2Nist.P521,
    ];

    private static readonly FrozenDictionary<string, KeyExchangeMethod> ByName =
        All.ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);

    /// <summary>Every implemented name, strongest first.</summary>
    public static IReadOnlyList<string> AllNames { get; } = Array.AsReadOnly(All.Select(m => m.Name).ToArray());

    /// <summary>The default offer (post-quantum hybrid and Curve25519); NIST curves only when configured, since ssh-audit fails them.</summary>
    public static IReadOnlyList<string> DefaultNames { get; } = Array.AsReadOnly(new[]
    {
        MlKem768X25519Sha256.MethodName,
        Curve25519Sha256.StandardName,
        Curve25519Sha256.LibsshName,
    });

    /// <summary>Looks a method up by its exact (case-sensitive, RFC 4251 §6) name.</summary>
    internal static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KeyExchangeMethod? method) =>
        ByName.TryGetValue(name, out method);
}
