using Fumidai.Gateway.Tests.Cluster;
using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.Agents;

/// <summary>Two bastion nodes on one PostgreSQL: an agent given both keeps a connection to each, so a session on either node finds it.</summary>
public sealed class AgentClusterEndToEndTests(PostgresBastion cluster) : IClassFixture<PostgresBastion>
{
    [Fact]
    public async Task An_agent_connected_to_every_node_serves_sessions_landing_on_any_of_them()
    {
        var h = cluster.Harness;
        var nodeB = await cluster.StartNodeAsync("node-b");
        await using var agents = await AgentNetwork.StartAsync(h, h.Bastion.Port, nodeB.Port);
        string token = await agents.AddAgentTargetAsync("webcluster", "--yes");
        await using var agent = agents.StartAgent("webcluster", token, "state-cluster");

        var view = await agents.WaitForAgentStateAsync("webcluster", "connected", nodes: 2);
        Assert.Equal(["node-a", "node-b"], view.GetProperty("connections").EnumerateArray().Select(c => c.GetProperty("node").GetString()).Order());

        var op = await h.AddOperatorAsync("agentnodes");
        long step = Totp.CurrentStep();
        var onA = await h.SshExecAsync(op, "agentnodes:webcluster", "echo ON_A_$((6*7))", await Totp.CodeAsync(op.Secret, step));
        Assert.True(onA.ExitCode == 0, $"{onA.Output} {onA.StandardError}\n{agent.Log}");
        Assert.Contains("ON_A_42", onA.Output);
        var onB = await h.SshExecAsync(op, "agentnodes:webcluster", "echo ON_B_$((6*7))", await Totp.CodeAsync(op.Secret, step + 1), port: nodeB.Port);
        Assert.True(onB.ExitCode == 0, $"{onB.Output} {onB.StandardError}\n{agent.Log}");
        Assert.Contains("ON_B_42", onB.Output);

        var sessions = await h.SessionsAsync("agentnodes");
        Assert.Equal(["node-a", "node-b"], sessions.Select(s => s.GetProperty("node").GetString()).Order());
    }
}
