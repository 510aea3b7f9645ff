using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;
using Fumidai.Web.Cluster;

namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>Two nodes on one PostgreSQL, each with its cluster listener on a free port of 127.0.0.1.</summary>
public sealed partial class ListeningCluster : IAsyncLifetime
{
    public PostgresBastion Nodes { get; } = new() { ExtraEnvironment = new() { ["FUMIDAI__Cluster__Listen"] = "127.0.0.1:0" } };

    /// <summary>Where node A's cluster listener is bound, from its start-up log.</summary>
    public IPEndPoint NodeA { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Nodes.InitializeAsync();
        NodeA = await ListenerOf(Nodes.Harness.Bastion);
    }

    public static async Task<IPEndPoint> ListenerOf(BastionProcess node)
    {
        if (!await node.WaitForLogAsync("cluster listener on", TimeSpan.FromSeconds(60)))
            throw new InvalidOperationException("no cluster listener:\n" + node.Log);
        return IPEndPoint.Parse(ListenerLine().Match(node.Log).Groups[1].Value);
    }

    [GeneratedRegex(@"cluster listener on (\S+) ")]
    private static partial Regex ListenerLine();

    public Task DisposeAsync() => Nodes.DisposeAsync();
}

/// <summary>
/// The cluster listener serves nodes of its own cluster only: a plain HTTP client, a TLS client without a certificate and one
/// with a certificate of another cluster's CA are refused; a certificate issued from this cluster's node CA is served.
/// </summary>
public sealed class ClusterListenerEndToEndTests(ListeningCluster cluster) : IClassFixture<ListeningCluster>
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task The_node_publishes_its_listener_address_in_its_nodes_row()
    {
        await using var store = await MetadataStore.OpenPostgresAsync(cluster.Nodes.ConnectionString);
        var row = await store.GetNodeAddressAsync("node-a");
        Assert.Equal(cluster.NodeA.ToString(), row?.InternalAddress);
    }

    [Fact]
    public async Task A_node_certificate_of_this_cluster_is_served_and_the_listener_presents_node_a()
    {
        using var certificates = await ClusterCertificateAsync("node-x");
        string? presented = null;
        using var client = Client(certificates.Node, (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : NodeCertificates.NodeName(certificate);
            return certificates.IsClusterNode(certificate, "node-a");
        });
        using var response = await client.GetAsync(Url("/cluster/sessions/no-such-session/stream"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("not running on node node-a", await response.Content.ReadAsStringAsync());
        Assert.Equal("node-a", presented);
    }

    [Fact]
    public async Task A_plain_http_client_is_refused()
    {
        using var client = new HttpClient { Timeout = Short };
        HttpResponseMessage? response = null;
        try
        {
            response = await client.GetAsync($"http://{cluster.NodeA}/cluster/sessions/no-such-session/stream");
        }
        catch (HttpRequestException)
        {
            // The TLS listener closes a connection that does not start a handshake.
        }
        using (response)
            Assert.True(response is null || response.StatusCode == HttpStatusCode.BadRequest, $"plain HTTP got {response?.StatusCode}");
    }

    [Fact]
    public async Task A_tls_client_without_a_certificate_is_refused()
    {
        using var client = Client(null, PresentsNodeA);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync(Url("/cluster/sessions/no-such-session/stream")));
    }

    [Fact]
    public async Task A_certificate_from_another_clusters_ca_is_refused_even_with_a_node_name_of_this_cluster()
    {
        using var foreign = ForeignCertificate("node-b");
        using var client = Client(foreign, PresentsNodeA);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() =>
            client.PostAsync(Url("/cluster/users/nobody/lock"), new StringContent("{\"admin\":\"admin\",\"reason\":\"x\"}")));
    }

    /// <summary>The client side of the refused callers: the server is node A by name; they have no CA to check it against.</summary>
    private static bool PresentsNodeA(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        certificate is not null && NodeCertificates.NodeName(certificate) == "node-a";

    private string Url(string path) => $"https://{cluster.NodeA}{path}";

    private async Task<NodeCertificates> ClusterCertificateAsync(string node)
    {
        await using var store = await MetadataStore.OpenPostgresAsync(cluster.Nodes.ConnectionString);
        return await NodeCertificates.LoadAsync(store, SecretProtector.Load(Path.Combine(cluster.Nodes.Harness.DataPath, "master.key")), node, CancellationToken.None);
    }

    private static HttpClient Client(X509Certificate2? certificate, RemoteCertificateValidationCallback validate) =>
        new(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = certificate is null ? null : [certificate],
                RemoteCertificateValidationCallback = validate,
            },
        })
        { Timeout = Short };

    /// <summary>A CA and node certificate made the same way, by another cluster.</summary>
    private static X509Certificate2 ForeignCertificate(string node)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Fumidai cluster node CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + node, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
