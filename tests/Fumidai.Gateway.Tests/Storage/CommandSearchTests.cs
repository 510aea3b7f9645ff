using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Storage;

/// <summary>The FTS5 command index: substring search, filters, idempotent reindexing.</summary>
public sealed class CommandSearchTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fumidai-search-").FullName;
    private MetadataStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await MetadataStore.OpenAsync(Path.Combine(_directory, "db"));
        var now = DateTimeOffset.UtcNow;
        await _store.AddSessionAsync(new SessionRecord("s1", "alice", "web01", "root", "shell", null, "127.0.0.1", now.AddHours(-2), null, "closed", null, 0, 0, null));
        await _store.AddSessionAsync(new SessionRecord("s2", "bob", "db01", "postgres", "exec", "pg_dump prod", "127.0.0.1", now.AddMinutes(-5), null, "closed", null, 0, 0, null));
        await _store.IndexSessionCommandsAsync("s1", [(TimeSpan.FromSeconds(3), "sudo systemctl restart nginx"), (TimeSpan.FromSeconds(9), "cat /etc/Passwd")]);
        await _store.IndexSessionCommandsAsync("s2", [(TimeSpan.Zero, "pg_dump prod")]);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Substring_search_finds_commands_with_session_user_target_and_time()
    {
        var hit = Assert.Single(await _store.SearchCommandsAsync("restart ngi", null, null, 100));
        Assert.Equal(("s1", "alice", "web01", "sudo systemctl restart nginx"), (hit.SessionId, hit.User, hit.Target, hit.Command));
        Assert.Single(await _store.SearchCommandsAsync("passwd", null, null, 100));
        Assert.Single(await _store.SearchCommandsAsync("pg", null, null, 100));
        Assert.Empty(await _store.SearchCommandsAsync("rm -rf", null, null, 100));
    }

    [Fact]
    public async Task Filters_by_user_and_time()
    {
        Assert.Empty(await _store.SearchCommandsAsync("pg_dump", "alice", null, 100));
        Assert.Single(await _store.SearchCommandsAsync("pg_dump", "bob", null, 100));
        Assert.Empty(await _store.SearchCommandsAsync("nginx", null, DateTimeOffset.UtcNow.AddHours(-1), 100));
    }

    [Fact]
    public async Task Reindexing_replaces_instead_of_duplicating()
    {
        await _store.IndexSessionCommandsAsync("s1", [(TimeSpan.FromSeconds(3), "sudo systemctl restart nginx")]);
        Assert.Single(await _store.SearchCommandsAsync("nginx", null, null, 100));
        Assert.Empty(await _store.SearchCommandsAsync("passwd", null, null, 100));
    }

    [Fact]
    public async Task Quotes_and_wildcards_in_the_query_are_literal()
    {
        Assert.Empty(await _store.SearchCommandsAsync("\"nginx\" OR *", null, null, 100));
        Assert.Empty(await _store.SearchCommandsAsync("%", null, null, 100));
    }

    [Fact]
    public async Task A_hidden_command_is_found_with_its_mark()
    {
        await _store.IndexSessionCommandsAsync("s1", [(TimeSpan.FromSeconds(3), "stty -echo", null), (TimeSpan.FromSeconds(5), "echo hidden-noecho", "typed without echo")]);
        var hit = Assert.Single(await _store.SearchCommandsAsync("hidden-noecho", null, null, 100));
        Assert.Equal(("echo hidden-noecho", "typed without echo"), (hit.Command, hit.Mark));
        Assert.Null(Assert.Single(await _store.SearchCommandsAsync("stty", null, null, 100)).Mark);
    }

    [Fact]
    public async Task A_database_indexed_before_marks_existed_gains_them_when_opened()
    {
        string path = Path.Combine(_directory, "db");
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = "ALTER TABLE session_commands DROP COLUMN mark; PRAGMA user_version = 2;";
            await downgrade.ExecuteNonQueryAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var reopened = await MetadataStore.OpenAsync(path);

        Assert.Null(Assert.Single(await reopened.SearchCommandsAsync("nginx", null, null, 100)).Mark);
        await reopened.IndexSessionCommandsAsync("s2", [(TimeSpan.Zero, "pg_dump prod", null), (TimeSpan.FromSeconds(1), "id", "fed on stdin")]);
        Assert.Equal("fed on stdin", Assert.Single(await reopened.SearchCommandsAsync("id", "bob", null, 100)).Mark);
    }
}
