using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Authentication;
using Fumidai.Gateway;
using Fumidai.Gateway.Storage;

namespace Fumidai.Web.Cluster;

/// <summary>A node that runs a session, as the console found it: where to reach it, or why it cannot be reached.</summary>
public sealed record RemoteNode(string Name, string? Address, string? Problem);

/// <summary>
/// The console's side of the cluster listener: finds the node running a session (fresh heartbeat, published address) and
/// calls it over TLS with this node's certificate, accepting only the certificate of that node from the cluster's CA.
/// </summary>
public sealed class ClusterClient : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private readonly DataDirectory _data;
    private readonly MetadataStore _store;
    private readonly string _node;
    private readonly TimeSpan _deadAfter;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private NodeCertificates? _certificates;

    public ClusterClient(DataDirectory data, MetadataStore store, string node, TimeSpan deadAfter)
    {
        _data = data;
        _store = store;
        _node = node;
        _deadAfter = deadAfter;
    }

    /// <summary>This console's node name.</summary>
    public string Node => _node;

    /// <summary>Whether a session of <paramref name="node"/> runs elsewhere than in this process's node.</summary>
    public bool IsOther(string? node) => node is not null && node != _node;

    /// <summary>The node by that name, with the reason it cannot be called when it cannot (down, or no cluster listener).</summary>
    public async Task<RemoteNode> FindAsync(string name, CancellationToken cancellationToken)
    {
        var row = await _store.GetNodeAddressAsync(name, cancellationToken).ConfigureAwait(false);
        if (row is null) return new RemoteNode(name, null, $"node {name} is not known to the cluster");
        if (row.Heartbeat < DateTimeOffset.UtcNow - _deadAfter)
            return new RemoteNode(name, null, $"node {name} has not sent a heartbeat since {row.Heartbeat:yyyy-MM-dd HH:mm:ss} UTC: it looks down");
        if (row.InternalAddress is null)
            return new RemoteNode(name, null, $"node {name} has no cluster listener (Cluster:Listen is not set there), so this console cannot reach its sessions");
        return new RemoteNode(name, row.InternalAddress, null);
    }

    /// <summary>The live stream of <paramref name="sessionId"/> from <paramref name="node"/>, headers read; the caller disposes it.</summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(RemoteNode node, string sessionId, CancellationToken cancellationToken)
    {
        var client = await ClientAsync(node.Name, cancellationToken).ConfigureAwait(false);
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connect.CancelAfter(CallTimeout);
        return await client.GetAsync(Uri(node, $"/cluster/sessions/{System.Uri.EscapeDataString(sessionId)}/stream"), HttpCompletionOption.ResponseHeadersRead,
            connect.Token).ConfigureAwait(false);
    }

    /// <summary>Asks <paramref name="node"/> to end the session; null once it confirmed, else what went wrong (nothing is assumed).</summary>
    public Task<string?> TerminateAsync(RemoteNode node, string sessionId, ClusterRequest request, CancellationToken cancellationToken) =>
        PostAsync(node, $"/cluster/sessions/{System.Uri.EscapeDataString(sessionId)}/terminate", request, cancellationToken);

    /// <summary>Asks <paramref name="node"/> to end the connections of a user the store already has disabled; null once it confirmed.</summary>
    public Task<string?> LockAsync(RemoteNode node, string user, ClusterRequest request, CancellationToken cancellationToken) =>
        PostAsync(node, $"/cluster/users/{System.Uri.EscapeDataString(user)}/lock", request, cancellationToken);

    private async Task<string?> PostAsync(RemoteNode node, string path, ClusterRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var client = await ClientAsync(node.Name, cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CallTimeout);
            using var response = await client.PostAsJsonAsync(Uri(node, path), request, ClusterRequest.Json, timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode) return null;
            string body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return $"node {node.Name} refused ({(int)response.StatusCode}): {ErrorOf(body)}";
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or AuthenticationException)
        {
            return $"node {node.Name} did not answer at {node.Address}: {ex.Message}";
        }
    }

    private static string ErrorOf(string body)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("error", out var error) ? error.GetString() ?? "" : "";
        }
        catch (System.Text.Json.JsonException)
        {
            return "";
        }
    }

    private static Uri Uri(RemoteNode node, string path) => new($"https://{node.Address}{path}");

    private async Task<HttpClient> ClientAsync(string node, CancellationToken cancellationToken)
    {
        if (_clients.TryGetValue(node, out var client)) return client;
        var certificates = await CertificatesAsync(cancellationToken).ConfigureAwait(false);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [certificates.Node],
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                // That node's certificate from the cluster's CA, whatever address it is reached on.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificates.IsClusterNode(certificate, node),
            },
        };
        client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        return _clients.GetOrAdd(node, client) is var kept && kept != client ? Dispose(client, kept) : client;
    }

    private static HttpClient Dispose(HttpClient extra, HttpClient kept)
    {
        extra.Dispose();
        return kept;
    }

    private async Task<NodeCertificates> CertificatesAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _certificates) is { } ready) return ready;
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _certificates ??= await NodeCertificates.LoadAsync(_store, _data.LoadProtector(), _node, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _loading.Release();
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
        _certificates?.Dispose();
        _loading.Dispose();
    }
}
