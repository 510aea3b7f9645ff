using System.Net.Sockets;
using System.Security.Cryptography;
using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.Agents;

/// <summary>
/// Targets without an inbound port, across a real network separation: the target's sshd in its own network namespace,
/// its agent dialing out to the bastion, Debian's ssh and scp on the operator's side.
/// </summary>
public sealed partial class AgentEndToEndTests : IClassFixture<AgentNetworkFixture>
{
    private readonly AgentNetworkFixture _f;
    private readonly BastionHarness _h;

    public AgentEndToEndTests(AgentNetworkFixture fixture)
    {
        _f = fixture;
        _h = fixture.Harness;
    }

    private async Task EnsureMainAgentAsync()
    {
        if (_f.MainAgent.HasExited) _f.MainAgent = _f.StartAgent("webagent", _f.MainToken, "state-webagent");
        await _f.WaitForAgentStateAsync("webagent", "connected");
    }

    [Fact]
    public async Task An_agent_joins_with_its_token_and_a_session_through_it_is_recorded_and_attributed_in_the_targets_log()
    {
        await EnsureMainAgentAsync();
        string key = Path.Combine(_f.StateDirectory("state-webagent"), "agent_ed25519");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        var join = await _h.WaitForAuditAsync(e => e.Type == "agent.join" && e.Target == "webagent", "agent join");
        var view = await _f.AgentViewAsync("webagent");
        Assert.Equal(join.Detail("key"), view.GetProperty("key").GetString());
        var connection = Assert.Single(view.GetProperty("connections").EnumerateArray());
        Assert.False(string.IsNullOrEmpty(connection.GetProperty("version").GetString()));
        await _h.WaitForAuditAsync(e => e.Type == "agent.host-keys" && e.Target == "webagent" && e.Detail("state") == "pinned", "first report pinned");
        Assert.Contains(_f.InnerSshd.HostKeys[0].Fingerprint, (await _h.MustAsync("target", "show", "webagent")).Output);

        var op = await _h.AddOperatorAsync("agentann");
        var result = await _h.SshExecAsync(op, "agentann:webagent", "echo THROUGH_AGENT_$((6*7))", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()));

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Output} {result.StandardError}\n{_f.MainAgent.Log}");
        Assert.Contains("THROUGH_AGENT_42", result.Output);
        var session = await _h.WaitForSessionAsync("agentann", s => s.GetProperty("endReason").GetString() == "exit", "ended");
        Assert.Equal("webagent", session.GetProperty("target").GetString());
        string id = session.GetProperty("id").GetString()!;
        var events = await _h.RecordingEventsAsync(id);
        Assert.Contains(events, e => e.Data.Contains("THROUGH_AGENT_42", StringComparison.Ordinal));
        Assert.True(await _f.InnerSshd.WaitForLogAsync($"fumidai:agentann:{id}"), _f.InnerSshd.Log);
    }

    [Fact]
    public async Task Scp_through_an_agent_copies_both_ways_byte_identical()
    {
        await EnsureMainAgentAsync();
        var op = await _h.AddOperatorAsync("agentscp");
        long step = Totp.CurrentStep();
        string local = _h.Directory.Combine("agent-up.bin");
        File.WriteAllBytes(local, RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17));
        // The namespace shares the file system: what the target's sshd writes is a file the test can read.
        string remote = _h.Directory.Combine("agent-on-target.bin");
        string back = _h.Directory.Combine("agent-down.bin");

        var up = await _h.RunClientAsync("scp", op, "agentscp:webagent", await Totp.CodeAsync(op.Secret, step), [local, "127.0.0.1:" + remote]);
        Assert.True(up.ExitCode == 0, $"{up.Output} {up.StandardError}");
        var down = await _h.RunClientAsync("scp", op, "agentscp:webagent", await Totp.CodeAsync(op.Secret, step + 1), ["127.0.0.1:" + remote, back]);
        Assert.True(down.ExitCode == 0, $"{down.Output} {down.StandardError}");

        Assert.Equal(SHA256.HashData(File.ReadAllBytes(local)), SHA256.HashData(File.ReadAllBytes(remote)));
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(local)), SHA256.HashData(File.ReadAllBytes(back)));
    }

    [Fact]
    public async Task The_targets_sshd_cannot_be_reached_from_outside_its_namespace()
    {
        // Inside, it answers: the agent's own view.
        var inside = await _f.Network.RunAsync("ssh-keyscan", "-T", "5", "-p", _f.InnerSshd.Port.ToString(), "127.0.0.1");
        Assert.Contains(_f.InnerSshd.HostKeys[0].ToString().Split(' ')[1], inside.Output);

        // Outside, by its namespace's address: refused, as for any address the bastion could try.
        using var client = new TcpClient();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<SocketException>(async () => await client.ConnectAsync(_f.Network.InnerAddress, _f.InnerSshd.Port, limit.Token));
        var scan = await _h.CliAsync("target", "add", "webdirect", "--host", _f.Network.InnerAddress, "--port", _f.InnerSshd.Port.ToString(),
            "--login", "root", "--scan", "--yes");
        Assert.NotEqual(0, scan.ExitCode);
    }
}
