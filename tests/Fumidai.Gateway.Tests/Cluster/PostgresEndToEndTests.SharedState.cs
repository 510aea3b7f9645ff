using System.Diagnostics;
using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>Security state shared through PostgreSQL by two real nodes: TOTP replay, lockout and revocation hold on both.</summary>
public sealed partial class PostgresEndToEndTests
{
    private static string[] From(string address) => ["-b", address];

    [Fact]
    public async Task A_code_used_on_node_A_is_refused_on_node_B()
    {
        var nodeB = await cluster.StartNodeAsync("node-b");
        var op = await H.AddOperatorAsync("pgcross");
        string code = await Totp.CodeAsync(op.Secret, Totp.CurrentStep());

        var onA = await H.SshExecAsync(op, "pgcross:web01", "echo on-a", code);
        var onB = await H.SshExecAsync(op, "pgcross:web01", "echo on-b", code, port: nodeB.Port);

        Assert.True(onA.ExitCode == 0, onA.StandardError);
        Assert.Equal(255, onB.ExitCode);
        Assert.DoesNotContain("on-b", onB.Output);
        Assert.Contains("already used", onB.StandardError);
        await H.WaitForAuditAsync(e => e.Type == "mfa.replay" && e.User == "pgcross", "refused replay of pgcross");
    }

    [Fact]
    public async Task Failures_spread_over_both_nodes_lock_the_account_on_both()
    {
        var nodeB = await cluster.StartNodeAsync("node-b");
        var op = await H.AddOperatorAsync("pgspread");
        long s0 = Totp.CurrentStep();
        string wrong = await Totp.WrongCodeAsync(op.Secret, s0);
        // One wrong code per connection, five on each node: neither node alone saw the threshold of ten.
        for (int i = 0; i < 10; i++)
        {
            var failed = await H.SshExecAsync(op, "pgspread:web01", "true", wrong, sshArguments: From("127.0.0.21"), port: i % 2 == 0 ? null : nodeB.Port);
            Assert.True(failed.ExitCode == 255, failed.StandardError);
        }
        await H.WaitForAuditAsync(e => e.Type == "login.lockout" && e.User == "pgspread", "login.lockout of pgspread");

        string right = await Totp.CodeAsync(op.Secret, s0);
        var onA = await H.SshExecAsync(op, "pgspread:web01", "echo should-not-run", right, sshArguments: From("127.0.0.21"));
        var onB = await H.SshExecAsync(op, "pgspread:web01", "echo should-not-run", right, sshArguments: From("127.0.0.21"), port: nodeB.Port);
        foreach (var refused in new[] { onA, onB })
        {
            Assert.Equal(255, refused.ExitCode);
            Assert.DoesNotContain("should-not-run", refused.Output);
            Assert.Contains("locked", refused.StandardError);
        }
    }

    [Fact]
    public async Task Disabling_a_user_ends_her_session_on_the_other_node_within_5_seconds()
    {
        var nodeB = await cluster.StartNodeAsync("node-b");
        var op = await H.AddOperatorAsync("pgdisable");
        await using var ssh = H.SshInteractive(op, "pgdisable:web01", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()), nodeB.Port);
        int prompt = await ssh.WaitForAsync(Prompt, Short);
        await H.WaitForSessionAsync("pgdisable", s => s.GetProperty("status").GetString() == "running", "running");

        // The CLI runs against the database only: node B learns of it through the shared revocation log.
        await H.MustAsync("user", "disable", "pgdisable");
        var clock = Stopwatch.StartNew();
        await ssh.WaitForAsync("[fumidai] session closed: access revoked", Short, prompt);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the session ended {clock.Elapsed} after the disable");

        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        var end = await H.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "pgdisable", "session.end of pgdisable");
        Assert.Equal("revoked", end.Detail("reason"));
        var session = Assert.Single(await H.SessionsAsync("pgdisable"));
        Assert.Equal("node-b", session.GetProperty("node").GetString());
    }
}
