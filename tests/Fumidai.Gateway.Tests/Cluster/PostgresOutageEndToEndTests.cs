using System.Net;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>PostgreSQL stopped under a running node: a login through Debian's ssh is refused clearly, nothing of it is stored, and the node serves again once the database is back.</summary>
public sealed class PostgresOutageEndToEndTests(PostgresBastion cluster) : IClassFixture<PostgresBastion>
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    private BastionHarness H => cluster.Harness;

    [Fact]
    public async Task A_login_while_postgresql_is_down_is_refused_with_a_notice_and_leaves_nothing_half_written()
    {
        var op = await H.AddOperatorAsync("pg-down");
        using var probe = new HealthProbe(await H.Bastion.HealthUriAsync());

        await cluster.Server.StopAsync();
        ProcessRunner.Result refused;
        try
        {
            refused = await H.SshExecAsync(op, "pg-down:web01", "echo SHOULD_NOT_RUN", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()), timeout: Short);
            Assert.False(H.Bastion.HasExited, "serve exited while the database was down:\n" + H.Bastion.Log);
        }
        finally
        {
            await cluster.Server.StartAsync();
        }

        Assert.Equal(255, refused.ExitCode);
        Assert.Contains("the bastion's database is unavailable", refused.StandardError);
        Assert.DoesNotContain("SHOULD_NOT_RUN", refused.Output);
        Assert.Contains("metadata store unavailable", H.Bastion.Log);
        Assert.DoesNotContain("Password=", H.Bastion.Log);
        await using (var store = await MetadataStore.OpenPostgresAsync(cluster.ConnectionString))
        {
            Assert.Empty(await store.ListSessionsAsync("pg-down", null, null));
            Assert.DoesNotContain(await store.ListAuditAsync(null), e => e.User == "pg-down" && (e.Type is "login" or "session.start"));
        }

        Assert.Equal(HttpStatusCode.OK, (await probe.WaitForHealthAsync(HttpStatusCode.OK, Short)).Status);
        var again = await H.SshExecAsync(op, "pg-down:web01", "echo back-$((6*7))", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()), timeout: Short);
        Assert.True(again.ExitCode == 0, $"exit {again.ExitCode}: {again.StandardError}\n{H.Bastion.Log}");
        Assert.Contains("back-42", again.Output);
    }
}
