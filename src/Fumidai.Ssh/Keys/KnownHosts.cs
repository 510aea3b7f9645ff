using System.Security.Cryptography;
using System.Text;

namespace Fumidai.Ssh.Keys;

/// <summary>Pinned host keys in OpenSSH known_hosts form, and the check the client role makes on each connection.</summary>
/// <remarks>There is no trust on first use: an unknown host is <see cref="KnownHostsStatus.Unknown"/>, which the caller refuses.</remarks>
public sealed class KnownHosts
{
    private const int MaxTextLength = 4 * 1024 * 1024;

    private KnownHosts(IReadOnlyList<KnownHostsEntry> entries) => Entries = entries;

    public IReadOnlyList<KnownHostsEntry> Entries { get; }

    /// <summary>Parses known_hosts text; comments, blank lines and unreadable lines are skipped as ssh does.</summary>
    public static KnownHosts Parse(string text)
    {
        if (text.Length > MaxTextLength) throw new FormatException("known_hosts text too large");
        var entries = new List<KnownHostsEntry>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (KnownHostsEntry.TryParse(line) is { } entry) entries.Add(entry);
        }
        return new KnownHosts(entries);
    }

    /// <summary>The name looked up for a host: the host itself on port 22, <c>[host]:port</c> otherwise.</summary>
    public static string LookupName(string host, int port) =>
        (port == 22 ? host : "[" + host + "]:" + port).ToLowerInvariant();

    /// <summary>The hashed form <c>|1|base64(salt)|base64(HMAC-SHA1(salt, name))</c> that <c>ssh-keygen -H</c> writes.</summary>
    public static string HashHostName(string lookupName, byte[]? salt = null)
    {
        salt ??= RandomNumberGenerator.GetBytes(20);
        return "|1|" + Convert.ToBase64String(salt) + "|" + Convert.ToBase64String(HashName(lookupName.ToLowerInvariant(), salt));
    }

    // HMAC-SHA1 is what the file format fixes for hashed names; it hides names, it protects no session.
    internal static byte[] HashName(string lookupName, byte[] salt) => HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(lookupName));

    /// <summary>
    /// Decides whether <paramref name="presentedKey"/> may be accepted for <paramref name="host"/>:<paramref name="port"/>.
    /// A host certificate is trusted when an <c>@cert-authority</c> line for the host lists its CA and the certificate is valid
    /// for the host at <paramref name="now"/> (default: the current time); otherwise its plain key is checked like any other.
    /// Any known key for the host that differs from the presented one makes a mismatch, whatever its type.
    /// </summary>
    public KnownHostsResult Check(string host, int port, SshPublicKey presentedKey, DateTimeOffset? now = null)
    {
        string name = LookupName(host, port);
        var matching = Entries.Where(e => e.Matches(name)).ToList();
        var certificate = presentedKey as SshCertificate;
        var plainKey = certificate?.Key ?? presentedKey;
        string presented = plainKey.Fingerprint;

        foreach (var revoked in matching.Where(e => e.Marker == KnownHostsMarker.Revoked))
        {
            if (revoked.Key.BlobEquals(plainKey) || revoked.Key.BlobEquals(presentedKey)
                || (certificate is not null && revoked.Key.BlobEquals(certificate.SignatureKey)))
                return new(KnownHostsStatus.Revoked, presented, [], "listed as @revoked");
        }

        if (certificate is not null)
        {
            var authorities = matching.Where(e => e.Marker == KnownHostsMarker.CertAuthority).Select(e => e.Key).ToList();
            if (authorities.Any(ca => ca.BlobEquals(certificate.SignatureKey)))
            {
                if (CertificateValidation.ValidateHostCertificate(certificate, authorities, host.ToLowerInvariant(), now ?? DateTimeOffset.UtcNow, out var reason))
                    return new(KnownHostsStatus.Trusted, presented, [], null);
                // A listed CA signed it, yet it is invalid here: refuse rather than fall back to a plain-key check.
                return new(KnownHostsStatus.Mismatch, presented, authorities.Select(a => a.Fingerprint).ToList(), reason);
            }
        }

        var known = matching.Where(e => e.Marker == KnownHostsMarker.None && e.Key is not SshCertificate).Select(e => e.Key).ToList();
        if (known.Any(k => k.BlobEquals(plainKey))) return new(KnownHostsStatus.Trusted, presented, [], null);
        if (known.Count > 0)
            return new(KnownHostsStatus.Mismatch, presented, known.Select(k => k.Fingerprint).Distinct().ToList(), "host key changed");
        return new(KnownHostsStatus.Unknown, presented, [], certificate is null ? null : "no @cert-authority line for the certificate's CA");
    }
}
