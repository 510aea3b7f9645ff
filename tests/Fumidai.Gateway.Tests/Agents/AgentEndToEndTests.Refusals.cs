using Fumidai.Agent;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Keys;
using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.Agents;

public sealed partial class AgentEndToEndTests
{
    [Fact]
    public async Task A_used_token_is_refused_to_a_second_agent_and_an_expired_one_to_any_and_nothing_changes()
    {
        await EnsureMainAgentAsync();
        string boundKey = (await _f.AgentViewAsync("webagent")).GetProperty("key").GetString()!;
        await using (var impostor = _f.StartAgent("webagent", _f.MainToken, "state-impostor"))
        {
            Assert.True(await impostor.WaitForLogAsync("refused by", AgentNetworkFixture.Wait), impostor.Log);
        }
        var reuse = await _h.WaitForAuditAsync(e => e.Type == "agent.refused" && e.Target == "webagent"
            && e.Detail("reason") == "another agent already joined as this target", "second agent refused");
        Assert.NotEqual(boundKey, reuse.Detail("key"));
        var after = await _f.AgentViewAsync("webagent");
        Assert.Equal(boundKey, after.GetProperty("key").GetString());
        Assert.Equal("connected", after.GetProperty("state").GetString());

        string shortLived = await _f.AddAgentTargetAsync("webexpired", "--token-ttl", "1s");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await using (var late = _f.StartAgent("webexpired", shortLived, "state-expired"))
        {
            Assert.True(await late.WaitForLogAsync("refused by", AgentNetworkFixture.Wait), late.Log);
        }
        await _h.WaitForAuditAsync(e => e.Type == "agent.refused" && e.Target == "webexpired" && e.Detail("reason") == "the join token expired",
            "expired token refused");
        var expired = await _f.AgentViewAsync("webexpired");
        Assert.Equal("token-expired", expired.GetProperty("state").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, expired.GetProperty("key").ValueKind);
    }

    [Fact]
    public async Task An_agent_killed_mid_session_ends_it_with_a_reason_and_its_restart_restores_access_within_seconds()
    {
        await EnsureMainAgentAsync();
        var op = await _h.AddOperatorAsync("agentcut");
        long step = Totp.CurrentStep();
        await using (var ssh = _h.SshInteractive(op, "agentcut:webagent", await Totp.CodeAsync(op.Secret, step)))
        {
            int prompt = await ssh.WaitForAsync("# ", AgentNetworkFixture.Wait);
            await ssh.TypeAsync("echo BEFORE_$((6*7))\r");
            await ssh.WaitForAsync("BEFORE_42", AgentNetworkFixture.Wait, prompt);

            await _f.MainAgent.KillAsync();

            Assert.NotEqual(0, await ssh.WaitForExitAsync(AgentNetworkFixture.Wait));
            // The operator is told it was the agent that went, not only that the target did.
            Assert.Contains("the connection to the target was lost (webagent: its agent disconnected)", ssh.Output);
        }
        var session = await _h.WaitForSessionAsync("agentcut", s => s.GetProperty("status").GetString() != "running", "ended");
        Assert.Equal("target-closed", session.GetProperty("endReason").GetString());
        var events = await _h.RecordingEventsAsync(session.GetProperty("id").GetString()!);
        Assert.Contains(events, e => e.Data.Contains("agent of webagent: its agent disconnected", StringComparison.Ordinal));
        await _h.WaitForAuditAsync(e => e.Type == "agent.disconnect" && e.Target == "webagent", "agent disconnect");

        var restarted = System.Diagnostics.Stopwatch.StartNew();
        _f.MainAgent = _f.StartAgent("webagent", _f.MainToken, "state-webagent");
        await _f.WaitForAgentStateAsync("webagent", "connected", TimeSpan.FromSeconds(20));
        var result = await _h.SshExecAsync(op, "agentcut:webagent", "echo AFTER_$((6*7))", await Totp.CodeAsync(op.Secret, step + 1));
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Output} {result.StandardError}");
        Assert.Contains("AFTER_42", result.Output);
        Assert.True(restarted.Elapsed < TimeSpan.FromSeconds(30), $"access came back after {restarted.Elapsed}");
    }

    [Fact]
    public async Task Revoking_an_agent_drops_its_connection_at_once_and_refuses_it_afterwards()
    {
        string token = await _f.AddAgentTargetAsync("webrevoked", "--yes");
        await using var agent = _f.StartAgent("webrevoked", token, "state-revoked");
        await _f.WaitForAgentStateAsync("webrevoked", "connected");

        await _h.MustAsync("target", "revoke-agent", "webrevoked");

        await _h.WaitForAuditAsync(e => e.Type == "agent.disconnect" && e.Target == "webrevoked" && e.Detail("reason") == "the agent was revoked",
            "revoked agent dropped", TimeSpan.FromSeconds(10));
        await _h.WaitForAuditAsync(e => e.Type == "agent.refused" && e.Target == "webrevoked" && e.Detail("reason") == "the agent was revoked",
            "revoked agent refused on reconnecting", TimeSpan.FromSeconds(20));
        Assert.Equal("revoked", (await _f.AgentViewAsync("webrevoked")).GetProperty("state").GetString());
        var op = await _h.AddOperatorAsync("agentrev");
        var result = await _h.SshExecAsync(op, "agentrev:webrevoked", "echo SHOULD_NOT_RUN", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()));
        Assert.DoesNotContain("SHOULD_NOT_RUN", result.Output);
        Assert.Contains("the agent of webrevoked is not connected", result.StandardError + result.Output);
        await _h.WaitForAuditAsync(e => e.Type == "target.failure" && e.Target == "webrevoked", "dial refused");
    }

    [Fact]
    public async Task An_agent_that_opens_a_channel_or_sends_a_request_to_the_bastion_is_refused_and_audited()
    {
        await EnsureMainAgentAsync();
        using var key = SshPrivateKey.Load(Path.Combine(_f.StateDirectory("state-webagent"), "agent_ed25519"));
        await using var client = await SshClient.ConnectAsync(new SshClientOptions
        {
            Host = "127.0.0.1",
            Port = _h.Bastion.Port,
            Credentials = new ClientCredentials(AgentProtocol.UserName("webagent")) { Keys = [key] },
            KnownHosts = KnownHosts.Parse(File.ReadAllText(_h.KnownHostsFile)),
            KeepaliveInterval = TimeSpan.Zero,
        });

        await Assert.ThrowsAsync<SshChannelOpenException>(() => client.OpenSessionAsync());
        await Assert.ThrowsAsync<SshChannelOpenException>(() => client.OpenDirectTcpipAsync("127.0.0.1", _h.Target.Port));
        var (accepted, _) = await client.Connection.SendGlobalRequestAsync("tcpip-forward", true, new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 }, default);
        Assert.False(accepted);

        await _h.WaitForAuditAsync(e => e.Type == "agent.refused" && e.Target == "webagent" && e.Detail("reason").Contains("'session' channel"), "session refused");
        await _h.WaitForAuditAsync(e => e.Type == "agent.refused" && e.Target == "webagent" && e.Detail("reason").Contains("'direct-tcpip' channel"), "forward refused");
        await _h.WaitForAuditAsync(e => e.Type == "agent.refused" && e.Target == "webagent" && e.Detail("reason").Contains("'tcpip-forward' request"), "request refused");
        // The real agent stays the one the target is reached through.
        Assert.Equal("connected", (await _f.AgentViewAsync("webagent")).GetProperty("state").GetString());
    }
}
