using System.Net;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Server;
using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.InProcess;

/// <summary>Dials the <see cref="FakeTarget"/> over an in-memory pair, with the host key pinned as the real dialer does.</summary>
public sealed class InProcessDialer : ITargetDialer, IAsyncDisposable
{
    private readonly SshServer _server;
    private readonly SshPublicKey _hostKey;
    private readonly List<SshClient> _clients = [];

    public InProcessDialer(FakeTarget target)
    {
        var hostKey = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        _hostKey = hostKey.PublicKey;
        _server = new SshServer(new SshServerOptions { HostKeys = [hostKey] }, target);
    }

    /// <summary>The known_hosts form of the target's host key, for its <see cref="TargetRecord.HostKeys"/>.</summary>
    public string HostKey => _hostKey.ToOpenSsh();

    /// <summary>When set, dialing fails as an unreachable target does.</summary>
    public bool Unreachable { get; set; }

    /// <summary>Runs before each dial completes (to make something happen while the target is being reached).</summary>
    public Func<Task>? WhileDialing { get; set; }

    public async Task<SshClient> DialAsync(TargetRecord target, string login, string user, string sessionId, TargetUse use,
        CancellationToken cancellationToken)
    {
        if (WhileDialing is { } hook) await hook();
        if (Unreachable) throw new SshConnectException(target.Host, target.Port, "TCP connect failed: ConnectionRefused (test)");
        var (client, server) = InMemoryDuplexStream.CreatePair(256 * 1024);
        _ = _server.ServeAsync(server, new IPEndPoint(IPAddress.Loopback, 40022));
        var connected = await SshClient.ConnectAsync(client, new SshClientOptions
        {
            Host = target.Host,
            Port = target.Port,
            Credentials = new ClientCredentials(login) { Password = "target-password" },
            KnownHosts = KnownHosts.Parse(TargetDialer.KnownHostsText(target)),
            KeepaliveInterval = TimeSpan.Zero,
        }, cancellationToken);
        lock (_clients) _clients.Add(connected);
        return connected;
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();
}
