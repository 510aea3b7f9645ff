using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;

namespace Fumidai.Web.Cluster;

/// <summary>
/// The cluster's node CA and the certificates it issues: the only credential the cluster listener accepts, and the only one
/// a console accepts from it. The CA is made once for the cluster and kept in <c>cluster_keys</c>, its key sealed with the
/// master key, so only a process holding the master key (a node) can be issued a certificate.
/// </summary>
public sealed class NodeCertificates : IDisposable
{
    /// <summary>Its name in <c>cluster_keys</c>: the certificate (PEM) as the public half, the PKCS#8 key sealed as the private.</summary>
    public const string KeyName = "node_ca";

    private static readonly TimeSpan CaLifetime = TimeSpan.FromDays(20 * 365);
    // As long as a process may run: the certificate is never stored, and its key dies with the process.
    private static readonly TimeSpan NodeLifetime = TimeSpan.FromDays(10 * 365);
    private readonly X509Certificate2 _ca;

    private NodeCertificates(X509Certificate2 ca, X509Certificate2 node)
    {
        _ca = ca;
        Node = node;
    }

    /// <summary>This node's certificate (subject CN = its node name), made at start with a fresh key; server and client.</summary>
    public X509Certificate2 Node { get; }

    /// <summary>The cluster's CA (made by the first node that needs it, else read) and a new certificate for <paramref name="nodeName"/>.</summary>
    /// <exception cref="ConfigurationException">The master key does not open the stored CA.</exception>
    public static async Task<NodeCertificates> LoadAsync(MetadataStore store, SecretProtector protector, string nodeName, CancellationToken cancellationToken)
    {
        var stored = await store.GetClusterKeyAsync(KeyName, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=Fumidai cluster node CA", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var now = DateTimeOffset.UtcNow;
            using var made = request.CreateSelfSigned(now.AddMinutes(-5), now + CaLifetime);
            // Of two nodes making it at once, the first stored wins and both read it back.
            await store.TryAddClusterKeyAsync(new ClusterKeyRecord(KeyName, made.ExportCertificatePem(),
                protector.Protect(Encoding.UTF8.GetBytes(key.ExportPkcs8PrivateKeyPem()), Purpose), now), cancellationToken).ConfigureAwait(false);
            stored = await store.GetClusterKeyAsync(KeyName, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("the cluster's node CA vanished from the metadata database after it was stored");
        }
        string keyPem;
        try
        {
            keyPem = Encoding.UTF8.GetString(protector.Unprotect(stored.SealedPrivateKey, Purpose));
        }
        catch (CryptographicException)
        {
            throw new ConfigurationException("the master key does not open the cluster's node CA in the metadata database: every node of a cluster "
                + "needs the cluster's master key");
        }
        using var caKey = ECDsa.Create();
        caKey.ImportFromPem(keyPem);
        var ca = X509Certificate2.CreateFromPem(stored.PublicKey);
        using var caWithKey = ca.CopyWithPrivateKey(caKey);
        return new NodeCertificates(ca, Issue(caWithKey, nodeName));
    }

    private const string Purpose = "cluster-key:" + KeyName;

    private static X509Certificate2 Issue(X509Certificate2 ca, string nodeName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + nodeName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(nodeName);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(ca, now.AddMinutes(-5), now + NodeLifetime, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Through PKCS#12, so TLS on every platform finds the key with the certificate.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// Whether <paramref name="certificate"/> was issued by the cluster's CA (and is within its validity), and, when
    /// <paramref name="node"/> is given, names that node. Nothing else is trusted: not the system's roots, not the console's.
    /// </summary>
    public bool IsClusterNode(X509Certificate? certificate, string? node = null)
    {
        if (certificate is null) return false;
        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        if (!chain.Build(presented)) return false;
        if (chain.ChainElements.Count != 2 || !chain.ChainElements[1].Certificate.RawDataMemory.Span.SequenceEqual(_ca.RawDataMemory.Span)) return false;
        return node is null || presented.GetNameInfo(X509NameType.SimpleName, false) == node;
    }

    /// <summary>The node name a verified certificate carries.</summary>
    public static string NodeName(X509Certificate certificate)
    {
        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return presented.GetNameInfo(X509NameType.SimpleName, false);
    }

    public void Dispose()
    {
        Node.Dispose();
        _ca.Dispose();
    }
}
