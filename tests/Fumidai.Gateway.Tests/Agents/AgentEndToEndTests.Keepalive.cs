using System.Diagnostics;
using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.Agents;

/// <summary>An agent that stops answering while its TCP connection stays up: the bastion's keepalives find out and drop it.</summary>
public sealed partial class AgentEndToEndTests
{
    [Fact]
    public async Task A_hung_agent_is_dropped_after_unanswered_keepalives_and_reconnects_once_it_runs_again()
    {
        string token = await _f.AddAgentTargetAsync("webhang", "--yes");
        var agent = _f.StartAgent("webhang", token, "state-webhang");
        await _f.WaitForAgentStateAsync("webhang", "connected");

        // Stopped, not killed: its kernel still acknowledges TCP, so only an answer at the SSH level shows it is gone.
        Signal("STOP", agent.Pid);
        try
        {
            var hung = Stopwatch.StartNew();
            await _f.WaitForAgentStateAsync("webhang", "disconnected", TimeSpan.FromSeconds(20));
            Assert.True(hung.Elapsed < TimeSpan.FromSeconds(15), $"the hung agent was dropped only after {hung.Elapsed}");
            var dropped = await _h.WaitForAuditAsync(e => e.Type == "agent.disconnect" && e.Target == "webhang", "agent disconnect");
            Assert.Contains("keepalive", dropped.Detail("reason"));
        }
        finally
        {
            Signal("CONT", agent.Pid);
        }

        await _f.WaitForAgentStateAsync("webhang", "connected", TimeSpan.FromSeconds(90));
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit(10_000);
        Assert.Equal(0, kill.ExitCode);
    }
}
