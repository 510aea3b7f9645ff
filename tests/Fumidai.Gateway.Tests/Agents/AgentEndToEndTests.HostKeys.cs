using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.Agents;

public sealed partial class AgentEndToEndTests
{
    [Fact]
    public async Task Without_yes_the_reported_host_keys_wait_for_an_admin_and_no_session_runs_before_she_confirms_them()
    {
        string token = await _f.AddAgentTargetAsync("webconfirm");
        await using var agent = _f.StartAgent("webconfirm", token, "state-confirm");
        var view = await _f.WaitForAgentStateAsync("webconfirm", "connected");
        await _h.WaitForAuditAsync(e => e.Type == "agent.host-keys" && e.Target == "webconfirm" && e.Detail("state") == "pending", "keys pending");
        view = await _f.AgentViewAsync("webconfirm");
        Assert.Contains(view.GetProperty("pendingHostKeys").EnumerateArray(),
            k => k.GetProperty("fingerprint").GetString() == _f.InnerSshd.HostKeys[0].Fingerprint);
        var show = await _h.MustAsync("target", "show", "webconfirm");
        Assert.Contains("fumidai target confirm-agent webconfirm", show.Output);

        var op = await _h.AddOperatorAsync("agentconfirm");
        long step = Totp.CurrentStep();
        var before = await _h.SshExecAsync(op, "agentconfirm:webconfirm", "echo TOO_EARLY", await Totp.CodeAsync(op.Secret, step));
        Assert.DoesNotContain("TOO_EARLY", before.Output);
        Assert.Contains("confirm-agent", before.StandardError + before.Output);
        var unpinned = await _h.CliAsync(["target", "check", "webconfirm"]);
        Assert.Equal(1, unpinned.ExitCode);
        Assert.Contains("ok    agent connected: ", unpinned.Output);
        Assert.Contains("FAIL  host keys: none pinned (", unpinned.Output);

        var refused = await _h.CliAsync(["target", "confirm-agent", "webconfirm"], "n\n");
        Assert.NotEqual(0, refused.ExitCode);
        await _h.MustAsync("target", "confirm-agent", "webconfirm", "--yes");
        await _h.WaitForAuditAsync(e => e.Type == "admin.change" && e.Target == "webconfirm" && e.Detail("host_keys_from") == "agent", "keys confirmed");

        var after = await _h.SshExecAsync(op, "agentconfirm:webconfirm", "echo CONFIRMED_$((6*7))", await Totp.CodeAsync(op.Secret, step + 1));
        Assert.True(after.ExitCode == 0, $"{after.Output} {after.StandardError}");
        Assert.Contains("CONFIRMED_42", after.Output);
        var check = await _h.MustAsync("target", "check", "webconfirm");
        Assert.Contains("host key(s) pinned from the agent's report", check.Output);
        Assert.Contains("webconfirm's agent is connected and its host keys are pinned", check.Output);
    }
}
