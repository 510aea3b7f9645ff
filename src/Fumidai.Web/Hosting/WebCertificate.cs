using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fumidai.Gateway;
using Fumidai.Gateway.Configuration;

namespace Fumidai.Web.Hosting;

/// <summary>The console's TLS certificate: a self-signed ECDSA P-256 one in the data directory, or the PEM pair the configuration names.</summary>
public static class WebCertificate
{
    public const string CertificateFile = "web_cert.pem";
    public const string KeyFile = "web_key.pem";

    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(3 * 365);

    public static string CertificatePath(DataDirectory data) => Path.Combine(data.Root, CertificateFile);

    public static string KeyPath(DataDirectory data) => Path.Combine(data.Root, KeyFile);

    public static bool Exists(DataDirectory data) => File.Exists(CertificatePath(data)) && File.Exists(KeyPath(data));

    /// <summary>Creates the self-signed pair (both files 0600, never replacing one) and returns its SHA-256 fingerprint.</summary>
    public static string Create(DataDirectory data)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Fumidai console", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        string host = Dns.GetHostName();
        if (Uri.CheckHostName(host) == UriHostNameType.Dns && !host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) names.AddDnsName(host);
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now + Lifetime);
        // The key first: a certificate without its key would make the next start fail instead of creating a pair.
        OwnerOnlyFiles.WriteNew(KeyPath(data), key.ExportPkcs8PrivateKeyPem() + "\n");
        OwnerOnlyFiles.WriteNew(CertificatePath(data), certificate.ExportCertificatePem() + "\n");
        return Fingerprint(certificate);
    }

    /// <summary>The certificate to serve: <c>Web:Certificate</c>/<c>Web:CertificateKey</c> when set, else the data directory's pair.</summary>
    /// <exception cref="ConfigurationException">A file is missing or is not a PEM certificate and matching key.</exception>
    public static X509Certificate2 Load(DataDirectory data, WebOptions options)
    {
        string certificate = options.Certificate ?? CertificatePath(data);
        string key = options.CertificateKey ?? KeyPath(data);
        foreach (string path in new[] { certificate, key })
        {
            if (!File.Exists(path))
                throw new ConfigurationException($"web console certificate file {path} does not exist"
                    + (options.Certificate is null ? $"; create one with `fumidai init`, or set Web:Certificate and Web:CertificateKey" : ""));
        }
        try
        {
            return X509Certificate2.CreateFromPemFile(certificate, key);
        }
        catch (CryptographicException ex)
        {
            throw new ConfigurationException($"web console certificate {certificate} with key {key}: {ex.Message}");
        }
    }

    /// <summary>SHA-256 of the DER certificate, as browsers show it (upper-case hex, colon-separated).</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', SHA256.HashData(certificate.RawData).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
}
