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
}
