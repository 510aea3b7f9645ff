using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Client;

/// <summary>The server's host key is not trusted: changed, revoked, or unknown. Names both fingerprints on a mismatch.</summary>
public sealed class SshHostKeyException : Exception
{
    public SshHostKeyException(string host, int port, KnownHostsResult result)
        : base(Describe(host, port, result))
    {
        Status = result.Status;
        PresentedFingerprint = result.PresentedFingerprint;
        ExpectedFingerprints = result.ExpectedFingerprints;
    }

    public KnownHostsStatus Status { get; }

    public string PresentedFingerprint { get; }

    public IReadOnlyList<string> ExpectedFingerprints { get; }

    private static string Describe(string host, int port, KnownHostsResult result)
    {
        string where = KnownHosts.LookupName(host, port);
        return result.Status switch
        {
            KnownHostsStatus.Mismatch =>
                $"host key for {where} does not match the pinned key: expected {string.Join(" or ", result.ExpectedFingerprints)}, "
                + $"presented {result.PresentedFingerprint}" + (result.Reason is null ? "" : $" ({result.Reason})"),
            KnownHostsStatus.Revoked => $"host key {result.PresentedFingerprint} presented by {where} is revoked",
            _ => $"host key {result.PresentedFingerprint} presented by {where} is not pinned; enrol it first (no trust on first use)"
                + (result.Reason is null ? "" : $" ({result.Reason})"),
        };
    }
}
