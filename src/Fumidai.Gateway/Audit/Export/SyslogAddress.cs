namespace Fumidai.Gateway.Audit.Export;

/// <summary>The transport to a syslog receiver.</summary>
public enum SyslogTransport
{
    Tcp,
    Tls,
    Udp,
}

/// <summary>A parsed <c>Audit:Syslog:Address</c>: <c>tcp://</c>, <c>tls://</c> or <c>udp://</c> then host and port.</summary>
public sealed record SyslogAddress(SyslogTransport Transport, string Host, int Port)
{
    public static bool TryParse(string text, out SyslogAddress? address, out string? error)
    {
        address = null;
        error = null;
        int scheme = text.IndexOf("://", StringComparison.Ordinal);
        var transport = scheme < 0 ? (SyslogTransport?)null : text[..scheme] switch
        {
            "tcp" => SyslogTransport.Tcp,
            "tls" => SyslogTransport.Tls,
            "udp" => SyslogTransport.Udp,
            _ => null,
        };
        if (transport is null)
        {
            error = "must start with tcp://, tls:// or udp://";
            return false;
        }
        if (!Uri.TryCreate("x://" + text[(scheme + 3)..], UriKind.Absolute, out var uri) || uri.Port is < 1 or > 65535
            || uri.Host.Length == 0 || uri.AbsolutePath != "/" || text.EndsWith('/'))
        {
            error = "must be SCHEME://HOST:PORT";
            return false;
        }
        address = new SyslogAddress(transport.Value, uri.IdnHost.Trim('[', ']'), uri.Port);
        return true;
    }

    public override string ToString() => $"{Transport.ToString().ToLowerInvariant()}://{Host}:{Port}";
}
