using System.Globalization;
using System.Text;

namespace Fumidai.Gateway.Audit.Export;

/// <summary>
/// One audit event as an RFC 5424 message: facility authpriv, severity warning for failures and informational otherwise,
/// MSGID the event type, every field in the <c>audit@32473</c> element (sequence number and chain hashes included) and the
/// details in <c>details@32473</c>.
/// </summary>
/// <remarks>32473 is the private enterprise number RFC 5612 reserves for documentation: no number is registered for Fumidai.</remarks>
public static class SyslogMessage
{
    public const string AuditElement = "audit@32473";
    public const string DetailsElement = "details@32473";
    private const int AuthPriv = 10;
    private const int Warning = 4;
    private const int Informational = 6;

    /// <summary>The message bytes (no framing).</summary>
    public static byte[] Format(AuditEvent e, string hostname, int processId)
    {
        int severity = e.Outcome == AuditOutcome.Failure ? Warning : Informational;
        var text = new StringBuilder(512)
            .Append('<').Append((AuthPriv * 8 + severity).ToString(CultureInfo.InvariantCulture)).Append(">1 ")
            .Append(e.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture)).Append(' ')
            .Append(Header(hostname, 255)).Append(" fumidai ")
            .Append(processId.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(Header(e.Type, 32)).Append(' ');
        text.Append('[').Append(AuditElement);
        Param(text, "seq", e.Sequence.ToString(CultureInfo.InvariantCulture));
        Param(text, "time", Storage.MetadataStore.Time(e.Time));
        Param(text, "type", e.Type);
        Param(text, "outcome", e.Outcome);
        if (e.User is { } user) Param(text, "user", user);
        if (e.Source is { } source) Param(text, "source", source);
        if (e.Target is { } target) Param(text, "target", target);
        Param(text, "prev_hash", e.PreviousHash);
        Param(text, "hash", e.Hash);
        text.Append(']');
        if (e.Details.Count > 0)
        {
            text.Append('[').Append(DetailsElement);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (key, value) in e.Details.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                string name = Name(key);
                if (seen.Add(name)) Param(text, name, value);
            }
            text.Append(']');
        }
        text.Append(' ').Append(e.Type).Append(' ').Append(e.Outcome);
        if (e.User is { } who) text.Append(" user=").Append(Escape.Control(who));
        if (e.Target is { } where) text.Append(" target=").Append(Escape.Control(where));
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>HOSTNAME and MSGID are printable US-ASCII without spaces, bounded; anything else becomes '_' (NILVALUE when empty).</summary>
    private static string Header(string value, int max)
    {
        var chars = value.Take(max).Select(c => c is > ' ' and < (char)127 ? c : '_').ToArray();
        return chars.Length == 0 ? "-" : new string(chars);
    }

    /// <summary>SD-NAME: printable US-ASCII except '=', ' ', ']' and '"', at most 32 characters.</summary>
    private static string Name(string key)
    {
        var chars = key.Take(32).Select(c => c is > ' ' and < (char)127 and not ('=' or ']' or '"') ? c : '_').ToArray();
        return chars.Length == 0 ? "_" : new string(chars);
    }

    /// <summary>PARAM-VALUE is UTF-8 with '"', '\' and ']' escaped by a backslash.</summary>
    private static void Param(StringBuilder text, string name, string value)
    {
        text.Append(' ').Append(name).Append("=\"");
        foreach (char c in value)
        {
            if (c is '"' or '\\' or ']') text.Append('\\');
            text.Append(c);
        }
        text.Append('"');
    }

    private static class Escape
    {
        /// <summary>The free-text part is for people: control characters are shown as \xNN so a value cannot forge a line.</summary>
        public static string Control(string value) =>
            value.Any(char.IsControl) ? string.Concat(value.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString())) : value;
    }
}
