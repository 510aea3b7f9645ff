using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>
/// The end-to-end harness (<see cref="BastionHarness"/>: init, targets, roles, <c>fumidai serve</c>) with its metadata in a
/// private PostgreSQL: every CLI command and the bastion get the provider and connection string from their environment.
/// </summary>
public sealed class PostgresBastion : IAsyncLifetime
{
    public PostgresServer Server { get; } = new();

    public BastionHarness Harness { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Server.InitializeAsync();
        ConnectionString = await Server.CreateDatabaseAsync();
        Harness = new BastionHarness
        {
            CliInChildProcess = true,
            BastionEnvironment = new()
            {
                ["FUMIDAI__Sessions__DrainTimeout"] = "3s",
                ["FUMIDAI__Metadata__Provider"] = "postgres",
                ["FUMIDAI__Metadata__Postgres__ConnectionString"] = ConnectionString,
            },
        };
        await Harness.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (Harness is not null) await Harness.DisposeAsync();
        await Server.DisposeAsync();
    }
}
