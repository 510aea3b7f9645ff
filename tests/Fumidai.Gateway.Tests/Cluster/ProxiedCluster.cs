namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>Two nodes on one PostgreSQL that accept only PROXY protocol connections from 127.0.0.1, behind a real haproxy.</summary>
public sealed class ProxiedCluster : IAsyncLifetime
{
    public PostgresBastion Nodes { get; } = new()
    {
        ExtraEnvironment = new()
        {
            ["FUMIDAI__Ssh__ProxyProtocol"] = "true",
            ["FUMIDAI__Ssh__TrustedProxies__0"] = "127.0.0.1/32",
        },
    };

    public HaproxyProcess Haproxy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Nodes.InitializeAsync();
        var nodeB = await Nodes.StartNodeAsync("node-b");
        Haproxy = await HaproxyProcess.StartAsync([Nodes.Harness.Bastion.Port, nodeB.Port]);
        Nodes.Harness.TrustBastionPort(Haproxy.Port);
    }

    public async Task DisposeAsync()
    {
        if (Haproxy is not null) await Haproxy.DisposeAsync();
        await Nodes.DisposeAsync();
    }
}
