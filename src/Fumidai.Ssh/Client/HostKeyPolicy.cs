using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Transport;

namespace Fumidai.Ssh.Client;

/// <summary>Turns pinned known_hosts lines into a verifier and a host key algorithm order for one host:port.</summary>
public static class HostKeyPolicy
{
    /// <summary>A verifier that accepts only what <see cref="KnownHosts.Check"/> trusts and otherwise throws <see cref="SshHostKeyException"/>.</summary>
    public static HostKeyVerifier Verifier(KnownHosts knownHosts, string host, int port) => (key, _) =>
    {
        var result = knownHosts.Check(host, port, key);
        if (!result.IsTrusted) throw new SshHostKeyException(host, port, result);
        return ValueTask.CompletedTask;
    };

    /// <summary>
    /// Puts the algorithms of keys pinned for the host first (certificate algorithms first when a CA is pinned), as ssh does,
    /// so that a server with several host keys presents the one we know instead of a spurious mismatch.
    /// </summary>
    public static IReadOnlyList<string> PreferredAlgorithms(KnownHosts knownHosts, string host, int port, IReadOnlyList<string> configured)
    {
        string name = KnownHosts.LookupName(host, port);
        var matching = knownHosts.Entries.Where(e => e.Matches(name) && e.Marker != KnownHostsMarker.Revoked).ToList();
        var preferred = new List<string>();
        if (matching.Any(e => e.Marker == KnownHostsMarker.CertAuthority))
            preferred.AddRange(configured.Select(SshKeyTypes.WithCertSuffix));
        foreach (var entry in matching.Where(e => e.Marker == KnownHostsMarker.None))
            preferred.AddRange(entry.Key.SignatureAlgorithms.Where(configured.Contains));
        return preferred.Concat(configured).Distinct().ToList();
    }
}
