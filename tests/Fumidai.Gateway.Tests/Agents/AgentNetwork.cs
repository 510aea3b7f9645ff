using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Fumidai.Ssh.Keys;
using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.Agents;

/// <summary>
/// Beside a bastion harness: a network namespace holding a target sshd that listens on the namespace's loopback only, which
/// the bastion cannot reach by any address, and agents started inside it. They reach each bastion node through the veth,
/// where a relay on the host's veth address forwards to that node's loopback port.
/// </summary>
public sealed class AgentNetwork : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly List<AgentProcess> _agents = [];
    private readonly List<TcpRelay> _relays = [];

    private AgentNetwork(BastionHarness harness, NetworkNamespace network)
    {
        Harness = harness;
        Network = network;
    }

    public BastionHarness Harness { get; }

    public NetworkNamespace Network { get; }

    /// <summary>The target's sshd, inside the namespace, trusting the bastion's user CA.</summary>
    public PrivateSshd InnerSshd { get; private set; } = null!;

    /// <summary>Sets up the namespace and its sshd, and one relay per bastion node port in <paramref name="bastionPorts"/>.</summary>
    public static async Task<AgentNetwork> StartAsync(BastionHarness harness, params int[] bastionPorts)
    {
        var network = new AgentNetwork(harness, await NetworkNamespace.CreateAsync());
        try
        {
            var ca = SshPublicKey.ParseOpenSsh((await harness.MustAsync("ca", "show")).Output.Trim());
            // The harness's hop key lets a session on the target go on to another host (here the same sshd): a nested hop.
            network.InnerSshd = await PrivateSshd.StartAsync([File.ReadAllText(harness.HopKeyFile + ".pub").Trim()], [ca], inNamespace: network.Network);
            foreach (int port in bastionPorts) network._relays.Add(new TcpRelay(IPAddress.Parse(network.Network.HostAddress), port));
            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary><c>target add NAME --agent --login root ARGS</c>; returns the join token it printed.</summary>
    public async Task<string> AddAgentTargetAsync(string name, params string[] arguments)
    {
        var added = await Harness.MustAsync(["target", "add", name, "--agent", "--login", "root", .. arguments]);
        return added.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("fdj1.", StringComparison.Ordinal));
    }

    public string StateDirectory(string name) => Harness.Directory.Combine(name);

    /// <summary>Starts <c>fumidai agent</c> in the namespace for <paramref name="name"/> with every node as a --bastion, forwarding to the namespace's sshd.</summary>
    public AgentProcess StartAgent(string name, string? token, string state)
    {
        var arguments = new List<string> { "--name", name, "--forward", $"127.0.0.1:{InnerSshd.Port}", "--state", StateDirectory(state) };
        foreach (var relay in _relays) arguments.AddRange(["--bastion", $"{Network.HostAddress}:{relay.ListenAddress.Port}"]);
        if (token is not null) arguments.AddRange(["--token", token]);
        var agent = AgentProcess.Start(Network, arguments);
        lock (_agents) _agents.Add(agent);
        return agent;
    }

    /// <summary>The agent part of <c>target show NAME --json</c>.</summary>
    public async Task<JsonElement> AgentViewAsync(string name)
    {
        using var json = JsonDocument.Parse((await Harness.MustAsync("target", "show", name, "--json")).Output);
        return json.RootElement.GetProperty("agent").Clone();
    }

    /// <summary>Polls (bounded) until the target's agent is in <paramref name="state"/> (and, if given, connected to that many nodes).</summary>
    public async Task<JsonElement> WaitForAgentStateAsync(string name, string state, TimeSpan? timeout = null, int? nodes = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var view = await AgentViewAsync(name);
            if (view.GetProperty("state").GetString() == state && (nodes is null || view.GetProperty("connections").GetArrayLength() == nodes))
                return view;
            if (clock.Elapsed > (timeout ?? Wait))
            {
                string logs;
                lock (_agents) logs = string.Join("\n---\n", _agents.Select(a => a.Log));
                throw new Xunit.Sdk.XunitException($"agent of {name} not {state}: {view.GetRawText()}\nagents:\n{logs}\nbastion:\n{Harness.Bastion.Log}");
            }
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<AgentProcess> agents;
        lock (_agents) agents = [.. _agents];
        try
        {
            foreach (var agent in agents) await agent.DisposeAsync();
            foreach (var relay in _relays) relay.Dispose();
            if (InnerSshd is not null) await InnerSshd.DisposeAsync();
        }
        finally
        {
            // The namespace goes whatever failed before: a process left in it would keep it alive.
            await Network.DisposeAsync();
        }
    }
}
