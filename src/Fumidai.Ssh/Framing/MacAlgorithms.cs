using System.Diagnostics.CodeAnalysis;

namespace Fumidai.Ssh.Framing;

/// <summary>The MAC algorithms Fumidai implements, by SSH name, and the default offer.</summary>
public static class MacAlgorithms
{
    private static readonly MacAlgorithm[] All =
    [
        HmacSha2MacAlgorithm.HmacSha256Etm,
        HmacSha2MacAlgorithm.HmacSha512Etm,
        HmacSha2MacAlgorithm.HmacSha256,
        HmacSha2MacAlgorithm.HmacSha512,
    ];

    /// <summary>Every implemented MAC, in preference order.</summary>
    public static IReadOnlyList<string> AllNames { get; } = Array.AsReadOnly(All.Select(a => a.Name).ToArray());

    /// <summary>The default offer: encrypt-then-MAC only: MAC-then-encrypt modes are opt-in for old clients.</summary>
    public static IReadOnlyList<string> DefaultNames { get; } = Array.AsReadOnly(All.Where(a => a.EncryptThenMac).Select(a => a.Name).ToArray());

    internal static bool TryGet(string name, [MaybeNullWhen(false)] out MacAlgorithm algorithm)
    {
        algorithm = Array.Find(All, a => string.Equals(a.Name, name, StringComparison.Ordinal));
        return algorithm is not null;
    }
}
