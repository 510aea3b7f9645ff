using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Fumidai.Gateway.Identity.Idp;

/// <summary>The HTTP handler every call to the IdP goes through: the system's CAs, or only those of <c>Oidc:CaFile</c>.</summary>
public static class IdpBackchannel
{
    /// <summary>A handler that trusts the CAs of <paramref name="caFile"/> and no others, or the system's when it is null.</summary>
    public static SocketsHttpHandler Handler(string? caFile)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        if (caFile is null) return handler;
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            },
        };
        return handler;
    }
}
