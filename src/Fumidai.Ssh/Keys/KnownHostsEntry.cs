using System.Security.Cryptography;
using System.Text;

namespace Fumidai.Ssh.Keys;

/// <summary>The marker in front of a known_hosts line.</summary>
public enum KnownHostsMarker
{
    None,
    /// <summary><c>@cert-authority</c>: the key is a CA trusted to sign host certificates for the matching hosts.</summary>
    CertAuthority,
    /// <summary><c>@revoked</c>: the key must never be accepted for the matching hosts.</summary>
    Revoked,
}

/// <summary>One line of a known_hosts file (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT).</summary>
public sealed class KnownHostsEntry
{
    private const string HashMagic = "|1|";
    private readonly string[] _patterns;
    private readonly byte[]? _salt;
    private readonly byte[]? _hash;

    private KnownHostsEntry(KnownHostsMarker marker, string hosts, SshPublicKey key, string comment)
    {
        Marker = marker;
        Hosts = hosts;
        Key = key;
        Comment = comment;
        if (hosts.StartsWith(HashMagic, StringComparison.Ordinal))
        {
            var parts = hosts[HashMagic.Length..].Split('|');
            if (parts.Length != 2) throw new FormatException("bad hashed host name");
            _salt = Convert.FromBase64String(parts[0]);
            _hash = Convert.FromBase64String(parts[1]);
            if (_salt.Length != 20 || _hash.Length != 20) throw new FormatException("bad hashed host name");
            _patterns = [];
        }
        else
        {
            _patterns = hosts.Split(',', StringSplitOptions.RemoveEmptyEntries);
            if (_patterns.Length == 0) throw new FormatException("known_hosts line without host names");
        }
    }

    public KnownHostsMarker Marker { get; }

    /// <summary>The host field as written: a pattern list or one hashed name <c>|1|salt|hash</c>.</summary>
    public string Hosts { get; }

    public bool IsHashed => _hash is not null;

    public SshPublicKey Key { get; }

    public string Comment { get; }

    /// <summary>
    /// True if the entry applies to <paramref name="lookupName"/> (the host, or <c>[host]:port</c> for other ports than 22):
    /// a hashed name must be equal; in a pattern list some pattern must match and no negated (<c>!</c>) pattern may.
    /// </summary>
    public bool Matches(string lookupName)
    {
        lookupName = lookupName.ToLowerInvariant();
        if (_hash is not null)
            return CryptographicOperations.FixedTimeEquals(KnownHosts.HashName(lookupName, _salt!), _hash);
        bool matched = false;
        foreach (var pattern in _patterns)
        {
            bool negated = pattern.StartsWith('!');
            var body = (negated ? pattern[1..] : pattern).ToLowerInvariant();
            if (!Wildcard(body, lookupName)) continue;
            if (negated) return false;
            matched = true;
        }
        return matched;
    }

    internal static KnownHostsEntry? TryParse(string line)
    {
        var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        int i = 0;
        var marker = KnownHostsMarker.None;
        if (fields.Length > 0 && fields[0].StartsWith('@'))
        {
            marker = fields[0] switch
            {
                "@cert-authority" => KnownHostsMarker.CertAuthority,
                "@revoked" => KnownHostsMarker.Revoked,
                _ => (KnownHostsMarker)(-1),
            };
            if (marker < 0) return null;
            i = 1;
        }
        if (fields.Length < i + 3) return null;
        try
        {
            var key = SshPublicKey.FromTypeAndBase64(fields[i + 1], fields[i + 2]);
            string comment = fields.Length > i + 3 ? string.Join(' ', fields[(i + 3)..]) : "";
            return new KnownHostsEntry(marker, fields[i], key, comment);
        }
        catch (Exception e) when (e is FormatException or NotSupportedException)
        {
            // ssh skips lines it cannot read (unknown key types, damage); so do we.
            return null;
        }
    }

    /// <summary>OpenSSH's match_pattern: <c>*</c> any run of characters, <c>?</c> exactly one.</summary>
    private static bool Wildcard(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    public override string ToString()
    {
        var builder = new StringBuilder();
        if (Marker == KnownHostsMarker.CertAuthority) builder.Append("@cert-authority ");
        else if (Marker == KnownHostsMarker.Revoked) builder.Append("@revoked ");
        builder.Append(Hosts).Append(' ').Append(Key.ToOpenSsh(Comment));
        return builder.ToString();
    }
}
