using Fumidai.Ssh.Framing;
using Fumidai.Ssh.Kex;

namespace Fumidai.Ssh.Transport;

/// <summary>Algorithm lists and limits for one transport; defaults are the strong subset (AEAD ciphers, ETM MACs, no NIST curves).</summary>
public sealed class SshTransportSettings
{
    public IReadOnlyList<string> KexAlgorithms { get; init; } = KeyExchangeMethods.DefaultNames;

    public IReadOnlyList<string> Ciphers { get; init; } = CipherAlgorithms.DefaultNames;

    public IReadOnlyList<string> Macs { get; init; } = MacAlgorithms.DefaultNames;

    /// <summary>Host key signature algorithms offered (server) or accepted (client), preferred first.</summary>
    public IReadOnlyList<string> HostKeyAlgorithms { get; init; } = DefaultHostKeyAlgorithms;

    /// <summary>User-key signature algorithms the server accepts, announced in ext-info <c>server-sig-algs</c>.</summary>
    public IReadOnlyList<string> UserKeySignatureAlgorithms { get; init; } = DefaultUserKeySignatureAlgorithms;

    /// <summary>Our identification string, without CR LF.</summary>
    public string SoftwareVersion { get; init; } = VersionExchange.SoftwareVersion;

    /// <summary>Start a new key exchange after this many bytes in either direction (default 1 GiB).</summary>
    public long RekeyBytes { get; init; } = 1L << 30;

    /// <summary>Start a new key exchange after this much time (default 1 hour).</summary>
    public TimeSpan RekeyInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Bytes of outgoing messages held while a key exchange runs; writers wait beyond it.</summary>
    public int MaxQueuedBytesDuringKex { get; init; } = 1 << 20;

    public static readonly IReadOnlyList<string> DefaultHostKeyAlgorithms =
    [
        "ssh-ed25519", "rsa-sha2-512", "rsa-sha2-256",
    ];

    /// <summary>Everything implemented, for configurations that opt into NIST curves.</summary>
    public static readonly IReadOnlyList<string> AllHostKeyAlgorithms =
    [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256",
    ];

    public static readonly IReadOnlyList<string> DefaultUserKeySignatureAlgorithms =
    [
        "ssh-ed25519", "sk-ssh-ed25519@openssh.com", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-512", "rsa-sha2-256",
    ];
}
