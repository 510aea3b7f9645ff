using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Fumidai.Ssh.Keys;

/// <summary>One line of an authorized_keys file: options, key and comment (sshd(8) AUTHORIZED_KEYS FILE FORMAT).</summary>
public sealed class AuthorizedKeyLine
{
    private const int MaxLineLength = 16 * 1024;

    private AuthorizedKeyLine(IReadOnlyList<KeyValuePair<string, string?>> options, SshPublicKey key, string comment)
    {
        Options = options;
        Key = key;
        Comment = comment;
    }

    /// <summary>Every option in order, names lower-cased, values unquoted (null for flag options).</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Options { get; }

    public SshPublicKey Key { get; }

    public string Comment { get; }

    /// <summary><c>cert-authority</c>: the key is a CA trusted to sign user certificates for this account.</summary>
    public bool CertAuthority => Has("cert-authority");

    /// <summary><c>command="..."</c>: the forced command.</summary>
    public string? Command => Value("command");

    /// <summary><c>from="pattern-list"</c>: allowed source host names or addresses, split at commas.</summary>
    public IReadOnlyList<string>? From => Value("from")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary><c>principals="a,b"</c>: with cert-authority, the certificate principals accepted.</summary>
    public IReadOnlyList<string>? Principals => Value("principals")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary><c>restrict</c>: every permission off unless re-enabled by a later option.</summary>
    public bool Restrict => Has("restrict");

    /// <summary>Whether a pty may be allocated: <c>no-pty</c> forbids; after <c>restrict</c> only <c>pty</c> allows.</summary>
    public bool PtyAllowed => Permission("pty", "no-pty");

    public bool PortForwardingAllowed => Permission("port-forwarding", "no-port-forwarding");

    public bool AgentForwardingAllowed => Permission("agent-forwarding", "no-agent-forwarding");

    public bool X11ForwardingAllowed => Permission("x11-forwarding", "no-x11-forwarding");

    public bool UserRcAllowed => Permission("user-rc", "no-user-rc");

    /// <summary><c>no-touch-required</c>: FIDO signatures without the user-presence flag are accepted for this key.</summary>
    public bool NoTouchRequired => Has("no-touch-required");

    /// <summary><c>verify-required</c>: FIDO signatures must carry the user-verified flag.</summary>
    public bool VerifyRequired => Has("verify-required");

    /// <summary><c>expiry-time="YYYYMMDD[HHMM[SS]][Z]"</c>: the key is refused from this instant (without Z, the local time zone).</summary>
    public DateTimeOffset? ExpiryTime => Value("expiry-time") is { } value ? ParseExpiry(value) : null;

    /// <summary>True if <see cref="ExpiryTime"/> is set and not after <paramref name="now"/>.</summary>
    public bool IsExpired(DateTimeOffset now) => ExpiryTime is { } expiry && now >= expiry;

    /// <summary>All values of a repeatable option such as <c>environment</c> or <c>permitopen</c>.</summary>
    public IEnumerable<string> Values(string name) =>
        Options.Where(o => o.Key == name && o.Value is not null).Select(o => o.Value!);

    public bool Has(string name) => Options.Any(o => o.Key == name);

    public string? Value(string name) => Options.FirstOrDefault(o => o.Key == name && o.Value is not null).Value;

    /// <summary>Parses a line; throws <see cref="FormatException"/> for a malformed one and <see cref="NotSupportedException"/> for an unknown key type.</summary>
    public static AuthorizedKeyLine Parse(string line)
    {
        line = line.Trim();
        if (line.Length > MaxLineLength) throw new FormatException("authorized_keys line too long");
        if (line.Length == 0 || line[0] == '#') throw new FormatException("blank or comment line");
        var options = new List<KeyValuePair<string, string?>>();
        int position = 0;
        // The line starts with options unless its first word is a key type (sshd's rule).
        string firstWord = line.Split((char[])[' ', '\t'], 2)[0];
        if (!IsKeyTypeName(firstWord))
        {
            position = ParseOptions(line, options);
        }
        var rest = line[position..].TrimStart().Split((char[])[' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length < 2) throw new FormatException("authorized_keys line lacks a key");
        var key = SshPublicKey.FromTypeAndBase64(rest[0], rest[1]);
        if (Value2(options, "expiry-time") is { } expiry) ParseExpiry(expiry);
        return new AuthorizedKeyLine(options, key, rest.Length == 3 ? rest[2].Trim() : "");
    }

    public static bool TryParse(string line, [NotNullWhen(true)] out AuthorizedKeyLine? entry)
    {
        try
        {
            entry = Parse(line);
            return true;
        }
        catch (Exception e) when (e is FormatException or NotSupportedException)
        {
            entry = null;
            return false;
        }
    }

    /// <summary>Parses a whole file, skipping blank lines, comments and lines that do not parse (as sshd does).</summary>
    public static IReadOnlyList<AuthorizedKeyLine> ParseFile(string text)
    {
        var result = new List<AuthorizedKeyLine>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (TryParse(line, out var entry)) result.Add(entry);
        }
        return result;
    }

    private static bool IsKeyTypeName(string word) =>
        word is SshKeyTypes.Ed25519 or SshKeyTypes.EcdsaNistP256 or SshKeyTypes.EcdsaNistP384 or SshKeyTypes.EcdsaNistP521
            or SshKeyTypes.Rsa or SshKeyTypes.SkEd25519 or SshKeyTypes.SkEcdsaNistP256 or "ssh-dss"
        || word.EndsWith(SshKeyTypes.CertSuffix, StringComparison.Ordinal);

    /// <summary>Reads <c>name[="value"]</c> items separated by commas up to the first unquoted blank; returns where the key starts.</summary>
    private static int ParseOptions(string line, List<KeyValuePair<string, string?>> options)
    {
        int i = 0;
        while (true)
        {
            int nameStart = i;
            while (i < line.Length && line[i] != '=' && line[i] != ',' && line[i] != ' ' && line[i] != '\t')
            {
                if (line[i] == '"') throw new FormatException("quote inside an option name");
                i++;
            }
            string name = line[nameStart..i].ToLowerInvariant();
            if (name.Length == 0) throw new FormatException("empty option name");
            string? value = null;
            if (i < line.Length && line[i] == '=')
            {
                i++;
                if (i >= line.Length || line[i] != '"') throw new FormatException("option value must be quoted");
                i++;
                var builder = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw new FormatException("unterminated quoted option value");
                    char c = line[i];
                    if (c == '\\' && i + 1 < line.Length && line[i + 1] == '"')
                    {
                        builder.Append('"');
                        i += 2;
                        continue;
                    }
                    i++;
                    if (c == '"') break;
                    builder.Append(c);
                }
                value = builder.ToString();
            }
            options.Add(new(name, value));
            if (i >= line.Length) throw new FormatException("authorized_keys line lacks a key");
            if (line[i] == ',')
            {
                i++;
                continue;
            }
            if (line[i] == ' ' || line[i] == '\t') return i;
            throw new FormatException("unexpected character after option");
        }
    }

    private static string? Value2(List<KeyValuePair<string, string?>> options, string name) =>
        options.FirstOrDefault(o => o.Key == name && o.Value is not null).Value;

    /// <summary>Default-allow permissions: the last of "allow"/"deny" wins; <c>restrict</c> turns the default to deny.</summary>
    private bool Permission(string allow, string deny)
    {
        bool allowed = !Restrict;
        foreach (var option in Options)
        {
            if (option.Key == allow) allowed = true;
            else if (option.Key == deny) allowed = false;
        }
        return allowed;
    }

    private static DateTimeOffset ParseExpiry(string value)
    {
        bool utc = value.EndsWith('Z') || value.EndsWith('z');
        string digits = utc ? value[..^1] : value;
        string format = digits.Length switch
        {
            8 => "yyyyMMdd",
            12 => "yyyyMMddHHmm",
            14 => "yyyyMMddHHmmss",
            _ => throw new FormatException("expiry-time must be YYYYMMDD[HHMM[SS]][Z]"),
        };
        var style = utc ? DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal : DateTimeStyles.AssumeLocal;
        if (!DateTimeOffset.TryParseExact(digits, format, CultureInfo.InvariantCulture, style, out var result))
            throw new FormatException("expiry-time must be YYYYMMDD[HHMM[SS]][Z]");
        return result;
    }
}
