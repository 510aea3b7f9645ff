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
        string rest = text[(scheme + 3)..];
        int colon = rest.LastIndexOf(':');
        string host = colon < 0 ? "" : rest[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (colon < 0 || !int.TryParse(rest[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            error = "must be SCHEME://HOST:PORT";
            return false;
        }
        address = new SyslogAddress(transport.Value, host, port);
        return true;
    }

    public override string ToString() => $"{Transport.ToString().ToLowerInvariant()}://{Host}:{Port}";
}
