using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Fumidai.Ssh.Keys;
using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.Agents;

/// <summary>
/// A bastion (the usual harness) and, in a network namespace of its own, a target sshd listening on the namespace's loopback
/// only, which the bastion cannot reach by any address. Agents run inside the namespace and reach the bastion through the
/// veth, where a relay on the host's veth address forwards to the bastion's loopback port. The target <c>webagent</c> is
/// added with <c>--agent --yes</c> and its agent started here.
/// </summary>
public sealed class AgentNetworkFixture : IAsyncLifetime
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly List<AgentProcess> _agents = [];

    public BastionHarness Harness { get; } = new();

    public NetworkNamespace Network { get; private set; } = null!;

    /// <summary>The target's sshd, inside the namespace, trusting the bastion's user CA.</summary>
    public PrivateSshd InnerSshd { get; private set; } = null!;

    public TcpRelay Relay { get; private set; } = null!;

    /// <summary>The join token of <c>webagent</c>, already used by the agent this fixture started.</summary>
    public string MainToken { get; private set; } = "";

    public AgentProcess MainAgent { get; set; } = null!;

    public async Task InitializeAsync()
    {
        await Harness.InitializeAsync();
        Network = await NetworkNamespace.CreateAsync();
        var ca = SshPublicKey.ParseOpenSsh((await Harness.MustAsync("ca", "show")).Output.Trim());
        InnerSshd = await PrivateSshd.StartAsync([], [ca], inNamespace: Network);
        Relay = new TcpRelay(IPAddress.Parse(Network.HostAddress), Harness.Bastion.Port);
        MainToken = await AddAgentTargetAsync("webagent", "--yes");
        MainAgent = StartAgent("webagent", MainToken, "state-webagent");
        await WaitForAgentStateAsync("webagent", "connected");
    }

    /// <summary><c>target add NAME --agent --login root ARGS</c>; returns the join token it printed.</summary>
    public async Task<string> AddAgentTargetAsync(string name, params string[] arguments)
    {
        var added = await Harness.MustAsync(["target", "add", name, "--agent", "--login", "root", .. arguments]);
        return added.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("fdj1.", StringComparison.Ordinal));
    }

    public string StateDirectory(string name) => Harness.Directory.Combine(name);

    /// <summary>Starts <c>fumidai agent</c> in the namespace for <paramref name="name"/>, forwarding to the namespace's sshd.</summary>
    public AgentProcess StartAgent(string name, string? token, string state)
    {
        var arguments = new List<string>
        {
            "--bastion", $"{Network.HostAddress}:{Relay.ListenAddress.Port}", "--name", name,
            "--forward", $"127.0.0.1:{InnerSshd.Port}", "--state", StateDirectory(state),
        };
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

    /// <summary>Polls (bounded) until the target's agent is in <paramref name="state"/>.</summary>
    public async Task<JsonElement> WaitForAgentStateAsync(string name, string state, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var view = await AgentViewAsync(name);
            if (view.GetProperty("state").GetString() == state) return view;
            if (clock.Elapsed > (timeout ?? Wait))
            {
                string logs;
                lock (_agents) logs = string.Join("\n---\n", _agents.Select(a => a.Log));
                throw new Xunit.Sdk.XunitException($"agent of {name} not {state}: {view.GetRawText()}\nagents:\n{logs}\nbastion:\n{Harness.Bastion.Log}");
            }
            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        List<AgentProcess> agents;
        lock (_agents) agents = [.. _agents];
        try
        {
            foreach (var agent in agents) await agent.DisposeAsync();
            Relay?.Dispose();
            if (InnerSshd is not null) await InnerSshd.DisposeAsync();
        }
        finally
        {
            // The namespace goes whatever failed before: a process left in it would keep it alive.
            if (Network is not null) await Network.DisposeAsync();
            await Harness.DisposeAsync();
        }
    }
}
