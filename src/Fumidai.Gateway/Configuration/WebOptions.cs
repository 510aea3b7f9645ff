namespace Fumidai.Gateway.Configuration;

/// <summary>The web console for auditors and admins: HTTPS only, on by default; its sign-in limits (PCI DSS 8.2.8).</summary>
public sealed class WebOptions
{
    public bool Enabled { get; set; } = true;

    public string Listen { get; set; } = "0.0.0.0:8443";

    /// <summary>A PEM certificate (chain) to serve instead of the self-signed one made by <c>init</c>; needs <see cref="CertificateKey"/>.</summary>
    public string? Certificate { get; set; }

    /// <summary>The PEM private key of <see cref="Certificate"/>.</summary>
    public string? CertificateKey { get; set; }

    /// <summary>A signed-in auditor or admin is signed out after this long without a request (at most 15m).</summary>
    public string IdleTimeout { get; set; } = "15m";

    /// <summary>A sign-in ends after this long whatever the activity (at most 12h).</summary>
    public string MaxSignIn { get; set; } = "12h";

    /// <summary>
    /// The console's address as operators reach it (<c>https://bastion.example.com:8443</c>), shown in the SSH prompt that asks
    /// for a browser approval; by default the host's name and the port of <see cref="Listen"/>.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>The console's public address, without a trailing slash.</summary>
    public string PublicBase()
    {
        if (PublicUrl is { Length: > 0 } url) return url.TrimEnd('/');
        string port = ConfigurationLoader.TryParseEndPoint(Listen, out var endPoint) ? endPoint!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) : "8443";
        return $"https://{System.Net.Dns.GetHostName()}:{port}";
    }

    /// <summary>The problems of these settings, each starting with its key.</summary>
    public IEnumerable<string> Validate()
    {
        if (!ConfigurationLoader.TryParseEndPoint(Listen, out _)) yield return $"Web:Listen = '{Listen}' is not ADDRESS:PORT";
        if (PublicUrl is { Length: > 0 } && (!Uri.TryCreate(PublicUrl, UriKind.Absolute, out var publicUrl) || publicUrl.Scheme != Uri.UriSchemeHttps
                || publicUrl.Query.Length > 0 || publicUrl.AbsolutePath.Trim('/').Length > 0))
            yield return $"Web:PublicUrl = '{PublicUrl}' must be an https URL without a path (https://HOST:PORT)";
        if ((Certificate is null) != (CertificateKey is null))
            yield return "Web:Certificate and Web:CertificateKey must be given together (PEM files)";
        if (!Duration.TryParse(IdleTimeout, out var idle) || idle <= TimeSpan.Zero || idle > TimeSpan.FromMinutes(15))
            yield return $"Web:IdleTimeout = '{IdleTimeout}' must be a duration of at most 15m (PCI DSS 8.2.8)";
        if (!Duration.TryParse(MaxSignIn, out var max) || max <= TimeSpan.Zero || max > TimeSpan.FromHours(12))
            yield return $"Web:MaxSignIn = '{MaxSignIn}' must be a duration of at most 12h";
    }
}
