using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Storage;

/// <summary>The shared store behaviour on the embedded SQLite file.</summary>
public sealed class SqliteMetadataStoreTests : MetadataStoreContract
{
    private readonly TempDirectory _directory = new("fumidai-store");

    protected override Task<MetadataStore> OpenEmptyStoreAsync() => MetadataStore.OpenAsync(_directory.Combine("fumidai.db"));

    protected override Task<MetadataStore> OpenSecondStoreAsync() => MetadataStore.OpenAsync(_directory.Combine("fumidai.db"));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_version_3_database_gains_node_identity_when_opened()
    {
        string path = _directory.Combine("v3.db");
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE sessions (id TEXT PRIMARY KEY, user_name TEXT NOT NULL, target TEXT NOT NULL, login TEXT NOT NULL,
                    kind TEXT NOT NULL, command TEXT, source TEXT NOT NULL, started TEXT NOT NULL, ended TEXT, status TEXT NOT NULL,
                    end_reason TEXT, bytes_in INTEGER NOT NULL DEFAULT 0, bytes_out INTEGER NOT NULL DEFAULT 0, recording TEXT);
                INSERT INTO sessions (id, user_name, target, login, kind, source, started, status)
                    VALUES ('s1', 'ann', 'web01', 'root', 'shell', '192.0.2.1', '2026-01-05T09:00:00.0000000Z', 'running');
                PRAGMA user_version = 3;
                """;
            await command.ExecuteNonQueryAsync();
        }

        await using var store = await MetadataStore.OpenAsync(path);

        Assert.Null((await store.GetSessionAsync("s1"))!.Node);
        Assert.Equal(["s1"], (await store.ListRunningSessionsOfAsync("any")).Select(s => s.Id));
        await store.HeartbeatAsync("any", T0, starting: true);
        Assert.Single(await store.ListNodesAsync());
    }
}
