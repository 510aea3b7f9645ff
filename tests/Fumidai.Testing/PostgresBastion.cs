using Xunit;

namespace Fumidai.Testing;

/// <summary>
/// The end-to-end harness (<see cref="BastionHarness"/>: init, targets, roles, <c>fumidai serve</c>) with its metadata in a
/// private PostgreSQL: every CLI command and the bastion get the provider and connection string from their environment.
/// </summary>
public sealed class PostgresBastion : IAsyncLifetime
{
    public PostgresServer Server { get; } = new();

    public BastionHarness Harness { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    /// <summary>More settings for every node and CLI command (e.g. PROXY protocol); set before initialising.</summary>
    public Dictionary<string, string> ExtraEnvironment { get; init; } = [];

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
                ["FUMIDAI__Node__Name"] = "node-a",
                // Shorter than the defaults (5s, 30s), so a dead node is noticed within a test's patience.
                ["FUMIDAI__Node__HeartbeatInterval"] = HeartbeatInterval,
                ["FUMIDAI__Node__DeadAfter"] = DeadAfter,
                ["FUMIDAI__Metadata__Provider"] = "postgres",
                ["FUMIDAI__Metadata__Postgres__ConnectionString"] = ConnectionString,
            },
        };
        foreach (var (key, value) in ExtraEnvironment) Harness.BastionEnvironment[key] = value;
        await Harness.InitializeAsync();
    }

    public const string HeartbeatInterval = "3s";

    public const string DeadAfter = "12s";

    private readonly List<(string Name, BastionProcess Process, TempDirectory Directory)> _nodes = [];

    /// <summary>
    /// The running node <paramref name="name"/>, else another <c>fumidai serve</c> on the same database by that name, in a
    /// data directory of its own holding copies of the first node's keys, master key and configuration; its host keys are
    /// pinned for the client. <paramref name="settings"/> override the first node's environment for this one.
    /// </summary>
    public async Task<BastionProcess> StartNodeAsync(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        if (_nodes.FirstOrDefault(n => n.Name == name && !n.Process.HasExited) is { Process: { } running })
        {
            Harness.TrustBastionPort(running.Port);
            return running;
        }
        var directory = new TempDirectory("fumidai-node");
        string data = directory.Combine("data");
        Directory.CreateDirectory(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (string file in Directory.EnumerateFiles(Harness.DataPath).Select(Path.GetFileName).OfType<string>()
            .Where(f => f == "fumidai.json" || f == "master.key" || f.StartsWith("host_", StringComparison.Ordinal)
                || f.StartsWith("user_ca", StringComparison.Ordinal) || f.StartsWith("audit_signing_key", StringComparison.Ordinal)))
        {
            File.Copy(Path.Combine(Harness.DataPath, file), Path.Combine(data, file));
            File.SetUnixFileMode(Path.Combine(data, file), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var environment = new Dictionary<string, string>(Harness.BastionEnvironment) { ["FUMIDAI__Node__Name"] = name };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        var process = await BastionProcess.StartAsync(data, environment);
        _nodes.Add((name, process, directory));
        Harness.TrustBastionPort(process.Port);
        return process;
    }

    /// <summary>The data directory of the node <paramref name="name"/> (the first node is <c>node-a</c>, the harness's own).</summary>
    public string DataPathOf(string name) =>
        name == "node-a" ? Harness.DataPath : _nodes.Last(n => n.Name == name).Directory.Combine("data");

    /// <summary>
    /// <c>fumidai init --data DIR</c> of a new node on the cluster's database, its master key named by
    /// <c>Secrets:MasterKeyFile</c> (default: the first node's); the directory is removed with the fixture.
    /// </summary>
    public async Task<(string Data, Dictionary<string, string> Environment, ProcessRunner.Result Init)> InitNodeAsync(string name, string? masterKeyFile = null)
    {
        var directory = new TempDirectory("fumidai-join");
        _directories.Add(directory);
        string data = directory.Combine("data");
        var environment = new Dictionary<string, string>(Harness.BastionEnvironment)
        {
            ["FUMIDAI__Node__Name"] = name,
            ["FUMIDAI__Secrets__MasterKeyFile"] = masterKeyFile ?? Path.Combine(Harness.DataPath, "master.key"),
        };
        var init = await ProcessRunner.RunAsync("dotnet", [BastionProcess.FumidaiDll, "init", "--data", data], BastionHarness.ProcessTimeout,
            environment: environment);
        return (data, environment, init);
    }

    private readonly List<TempDirectory> _directories = [];

    public async Task DisposeAsync()
    {
        foreach (var directory in _directories) directory.Dispose();
        foreach (var (_, process, directory) in _nodes)
        {
            await process.DisposeAsync();
            directory.Dispose();
        }
        if (Harness is not null) await Harness.DisposeAsync();
        await Server.DisposeAsync();
    }
}
