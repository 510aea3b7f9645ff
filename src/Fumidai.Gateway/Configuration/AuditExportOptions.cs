namespace Fumidai.Gateway.Configuration;

/// <summary>Where the audit log is exported besides the object store: a syslog receiver (a SIEM) and/or JSON lines on stdout.</summary>
public sealed class AuditOptions
{
    public SyslogOptions Syslog { get; set; } = new();

    /// <summary>Every audit event as one JSON line on stdout, for container log collectors.</summary>
    public bool Stdout { get; set; }

    /// <summary>Events not yet exported above which a warning is logged (the backlog is also a metric).</summary>
    public long BacklogWarning { get; set; } = 10_000;

    /// <summary>Each problem starts with the key it is about, so the caller can locate it.</summary>
    public IEnumerable<string> Validate()
    {
        if (Syslog.Address is { } address && !Audit.Export.SyslogAddress.TryParse(address, out _, out string? error))
            yield return $"Audit:Syslog:Address = '{address}' {error}";
        if (Syslog.CaFile is { } ca && !File.Exists(ca))
            yield return $"Audit:Syslog:CaFile = '{ca}' does not exist";
        if (Syslog.CaFile is not null && Syslog.Address is { } tls && !tls.StartsWith("tls://", StringComparison.Ordinal))
            yield return "Audit:Syslog:CaFile applies only to a tls:// Audit:Syslog:Address";
        if (BacklogWarning < 1)
            yield return $"Audit:BacklogWarning = {BacklogWarning} must be at least 1";
    }
}

/// <summary>The syslog receiver: RFC 5424 messages, octet-counted over TCP and TLS (RFC 5425 framing), one per datagram over UDP.</summary>
public sealed class SyslogOptions
{
    /// <summary><c>tcp://HOST:PORT</c>, <c>tls://HOST:PORT</c> or <c>udp://HOST:PORT</c>; unset means no syslog export.</summary>
    public string? Address { get; set; }

    /// <summary>PEM file of the CA that must have issued the receiver's certificate (TLS); unset means the system's trusted CAs.</summary>
    public string? CaFile { get; set; }
}

/// <summary>Alerts for the events that need a human now.</summary>
public sealed class AlertOptions
{
    public WebhookOptions Webhook { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        if (Webhook.Url is not { } url) yield break;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            yield return $"Alerts:Webhook:Url = '{url}' must be an http:// or https:// URL";
        if (Webhook.SecretFile is not { } secret)
            yield return "Alerts:Webhook:SecretFile must name the file holding the signing secret when Alerts:Webhook:Url is set";
        else if (!File.Exists(secret))
            yield return $"Alerts:Webhook:SecretFile = '{secret}' does not exist";
        if (Webhook.MaxPerMinute is < 1 or > 1000)
            yield return $"Alerts:Webhook:MaxPerMinute = {Webhook.MaxPerMinute} must be between 1 and 1000";
    }
}

/// <summary>The HTTP receiver of alerts: JSON POSTs signed with HMAC-SHA256 over the body.</summary>
public sealed class WebhookOptions
{
    public string? Url { get; set; }

    /// <summary>File holding the shared secret (its bytes, surrounding whitespace trimmed); kept out of fumidai.json.</summary>
    public string? SecretFile { get; set; }

    /// <summary>Alerts sent per minute at most; the rest of a storm becomes one summary alert.</summary>
    public int MaxPerMinute { get; set; } = 10;
}
