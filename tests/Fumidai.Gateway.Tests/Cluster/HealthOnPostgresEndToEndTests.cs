using System.Net;
using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>A node on PostgreSQL tells its load balancer when the database is gone, and when it is back.</summary>
public sealed class HealthOnPostgresEndToEndTests(PostgresBastion cluster) : IClassFixture<PostgresBastion>
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    private BastionHarness H => cluster.Harness;

    [Fact]
    public async Task Healthz_is_503_while_postgresql_is_stopped_and_ready_again_once_it_is_back()
    {
        using var probe = new HealthProbe(await H.Bastion.HealthUriAsync());
        Assert.Equal((HttpStatusCode.OK, "ready"), await probe.WaitForHealthAsync(HttpStatusCode.OK, Short));

        await cluster.Server.StopAsync();
        try
        {
            var down = await probe.WaitForHealthAsync(HttpStatusCode.ServiceUnavailable, Short);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Status);
            Assert.StartsWith("metadata store", down.Body);
            // The body says what is wrong, never how to reach the database.
            Assert.DoesNotContain("Host=", down.Body);
            Assert.DoesNotContain(cluster.Server.Port.ToString(), down.Body);
            Assert.False(H.Bastion.HasExited, "serve exited while the database was down:\n" + H.Bastion.Log);
        }
        finally
        {
            await cluster.Server.StartAsync();
        }

        var up = await probe.WaitForHealthAsync(HttpStatusCode.OK, Short);
        Assert.Equal((HttpStatusCode.OK, "ready"), up);
        var op = await H.AddOperatorAsync("pg-back");
        var result = await H.SshExecAsync(op, "pg-back:web01", "echo back-$((6*7))", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()));
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StandardError}");
        Assert.Contains("back-42", result.Output);
    }
}
