namespace Fumidai.Ssh.Keys;

/// <summary>The verdict on a presented host key.</summary>
public enum KnownHostsStatus
{
    /// <summary>The key (or its certificate's CA) is listed for the host.</summary>
    Trusted,
    /// <summary>The host has known keys and the presented one is not among them: refuse the connection.</summary>
    Mismatch,
    /// <summary>The key, or the CA of its certificate, is marked <c>@revoked</c>.</summary>
    Revoked,
    /// <summary>Nothing is known about the host.</summary>
    Unknown,
}

/// <summary>Result of <see cref="KnownHosts.Check"/>: the status, the presented fingerprint and, on a mismatch, the expected ones.</summary>
public sealed class KnownHostsResult
{
    public KnownHostsResult(KnownHostsStatus status, string presentedFingerprint, IReadOnlyList<string> expectedFingerprints, string? reason)
    {
        Status = status;
        PresentedFingerprint = presentedFingerprint;
        ExpectedFingerprints = expectedFingerprints;
        Reason = reason;
    }

    public KnownHostsStatus Status { get; }

    /// <summary>Fingerprint of the key the server presented (of the certified key for a certificate).</summary>
    public string PresentedFingerprint { get; }

    /// <summary>Fingerprints of the keys known for the host (for the error message on a mismatch).</summary>
    public IReadOnlyList<string> ExpectedFingerprints { get; }

    /// <summary>Why the key was not trusted, for logs; never contains secrets.</summary>
    public string? Reason { get; }

    public bool IsTrusted => Status == KnownHostsStatus.Trusted;

    public override string ToString() => Status switch
    {
        KnownHostsStatus.Mismatch => $"host key mismatch: presented {PresentedFingerprint}, expected {string.Join(" or ", ExpectedFingerprints)}"
            + (Reason is null ? "" : " (" + Reason + ")"),
        KnownHostsStatus.Revoked => $"host key {PresentedFingerprint} is revoked",
        KnownHostsStatus.Unknown => $"host key {PresentedFingerprint} is not known for this host",
        _ => $"host key {PresentedFingerprint} trusted",
    };
}
