using System.Text.Json;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>
/// <c>fumidai init</c>, <c>user add</c> and <c>serve</c> on PostgreSQL, run as the built executable, then Debian's ssh
/// through the bastion to a private sshd: the login, session and recording are all found through the database.
/// </summary>
public sealed partial class PostgresEndToEndTests(PostgresBastion cluster) : IClassFixture<PostgresBastion>
{
    private BastionHarness H => cluster.Harness;

    [Fact]
    public async Task A_login_through_a_bastion_on_postgres_is_audited_and_recorded_in_postgres()
    {
        var op = await H.AddOperatorAsync("pgexec");
        long s0 = Totp.CurrentStep();

        var result = await H.SshExecAsync(op, "pgexec:web01", "echo pg-$((6*7))", await Totp.CodeAsync(op.Secret, s0));

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StandardError}");
        Assert.Contains("pg-42", result.Output);
        var login = await H.WaitForAuditAsync(e => e.Type == "login" && e.User == "pgexec", "login of pgexec");
        Assert.Equal("publickey+totp", login.Detail("method"));
        var session = await H.WaitForSessionAsync("pgexec", s => s.GetProperty("status").GetString() == "closed", "closed");
        Assert.Contains("pg-42", await H.ExportAndCatAsync(session.GetProperty("id").GetString()!));

        // The rows are in PostgreSQL, not in a SQLite file beside it.
        Assert.False(File.Exists(Path.Combine(H.DataPath, "fumidai.db")));
        await using var store = await MetadataStore.OpenPostgresAsync(cluster.ConnectionString);
        Assert.NotNull(await store.GetUserAsync("pgexec"));
        Assert.Equal("pgexec", (await store.GetSessionAsync(session.GetProperty("id").GetString()!))!.User);
        Assert.Contains(await store.ListAuditAsync(null), e => e.Type == "login" && e.User == "pgexec");
    }

    [Fact]
    public async Task A_code_used_once_is_refused_the_second_time()
    {
        var op = await H.AddOperatorAsync("pgreplay");
        string code = await Totp.CodeAsync(op.Secret, Totp.CurrentStep());

        var first = await H.SshExecAsync(op, "pgreplay:web01", "true", code);
        var second = await H.SshExecAsync(op, "pgreplay:web01", "true", code);

        Assert.True(first.ExitCode == 0, first.StandardError);
        Assert.Equal(255, second.ExitCode);
        await H.WaitForAuditAsync(e => e.Type == "mfa.replay" && e.User == "pgreplay", "refused replay of pgreplay");
    }

    [Fact]
    public async Task The_cli_refuses_clearly_without_the_connection_string_or_with_the_wrong_provider()
    {
        string config = File.ReadAllText(Path.Combine(H.DataPath, "fumidai.json"));
        Assert.Contains("\"Provider\": \"postgres\"", config);
        Assert.DoesNotContain("Host=", config);

        var noConnection = await ProcessRunner.RunAsync("dotnet", [BastionProcess.FumidaiDll, "user", "list", "--data", H.DataPath], BastionHarness.ProcessTimeout);
        Assert.Equal(5, noConnection.ExitCode);
        Assert.Contains("Metadata:Postgres:ConnectionString must be set", noConnection.StandardError);

        var sqlite = await ProcessRunner.RunAsync("dotnet", [BastionProcess.FumidaiDll, "user", "list", "--data", H.DataPath], BastionHarness.ProcessTimeout,
            environment: new Dictionary<string, string> { ["FUMIDAI__Metadata__Provider"] = "sqlite" });
        Assert.Equal(5, sqlite.ExitCode);
        Assert.Contains("Metadata:Provider = postgres", sqlite.StandardError);
        Assert.False(File.Exists(Path.Combine(H.DataPath, "fumidai.db")), "a wrong provider must not create an empty SQLite database");

        var list = await H.MustAsync("user", "list", "--json");
        Assert.Contains("admin", JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Select(u => u.GetProperty("name").GetString()));
    }
}
