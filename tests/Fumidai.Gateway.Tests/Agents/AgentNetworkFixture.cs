using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.Agents;

/// <summary>
/// One bastion (the usual harness) and an <see cref="AgentNetwork"/> beside it, where the target <c>webagent</c> is added with
/// <c>--agent --yes</c> and its agent started.
/// </summary>
public sealed class AgentNetworkFixture : IAsyncLifetime
{
    public static readonly TimeSpan Wait = AgentNetwork.Wait;

    public BastionHarness Harness { get; } = new();

    public AgentNetwork Agents { get; private set; } = null!;

    public NetworkNamespace Network => Agents.Network;

    public PrivateSshd InnerSshd => Agents.InnerSshd;

    /// <summary>The join token of <c>webagent</c>, already used by the agent this fixture started.</summary>
    public string MainToken { get; private set; } = "";

    public AgentProcess MainAgent { get; set; } = null!;

    public async Task InitializeAsync()
    {
        // Keepalives to agents every second instead of every 15: a hung agent is dropped within the tests' patience.
        Harness.BastionEnvironment["FUMIDAI__Agents__KeepaliveInterval"] = "1s";
        await Harness.InitializeAsync();
        Agents = await AgentNetwork.StartAsync(Harness, Harness.Bastion.Port);
        MainToken = await AddAgentTargetAsync("webagent", "--yes");
        MainAgent = StartAgent("webagent", MainToken, "state-webagent");
        await WaitForAgentStateAsync("webagent", "connected");
    }

    public Task<string> AddAgentTargetAsync(string name, params string[] arguments) => Agents.AddAgentTargetAsync(name, arguments);

    public string StateDirectory(string name) => Agents.StateDirectory(name);

    public AgentProcess StartAgent(string name, string? token, string state) => Agents.StartAgent(name, token, state);

    public Task<System.Text.Json.JsonElement> AgentViewAsync(string name) => Agents.AgentViewAsync(name);

    public Task<System.Text.Json.JsonElement> WaitForAgentStateAsync(string name, string state, TimeSpan? timeout = null) =>
        Agents.WaitForAgentStateAsync(name, state, timeout);

    public async Task DisposeAsync()
    {
        try
        {
            if (Agents is not null) await Agents.DisposeAsync();
        }
        finally
        {
            await Harness.DisposeAsync();
        }
    }
}
