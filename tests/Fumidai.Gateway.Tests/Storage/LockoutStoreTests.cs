using Fumidai.Gateway.Storage;
using Microsoft.Data.Sqlite;

namespace Fumidai.Gateway.Tests.Storage;

/// <summary>Failed-login counts per user and source: locks, their end, and locks carried over from per-user counting.</summary>
public sealed class LockoutStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan LockFor = TimeSpan.FromMinutes(30);
    private readonly TempDirectory _directory = new("fumidai-lockout");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_count_starts_again_when_a_lock_has_run_out()
    {
        var store = await MetadataStore.OpenAsync(_directory.Combine("fumidai.db"));
        for (int i = 1; i <= 10; i++) Assert.Equal((i, i == 10), await store.RecordFailureAsync("ann", "192.0.2.1", 10, LockFor, T0));

        var later = T0 + LockFor + TimeSpan.FromSeconds(1);
        Assert.Null(await store.GetLockedUntilAsync("ann", "192.0.2.1", later));
        Assert.Equal((1, false), await store.RecordFailureAsync("ann", "192.0.2.1", 10, LockFor, later));
        Assert.Null(await store.GetLockedUntilAsync("ann", "192.0.2.1", later));
    }

    [Fact]
    public async Task A_failure_during_a_lock_does_not_extend_it()
    {
        var store = await MetadataStore.OpenAsync(_directory.Combine("fumidai.db"));
        for (int i = 0; i < 10; i++) await store.RecordFailureAsync("ann", "192.0.2.1", 10, LockFor, T0);
        await store.RecordFailureAsync("ann", "192.0.2.1", 10, LockFor, T0 + TimeSpan.FromMinutes(20));
        Assert.Equal(T0 + LockFor, await store.GetLockedUntilAsync("ann", "192.0.2.1", T0 + TimeSpan.FromMinutes(21)));
    }

    [Fact]
    public async Task Sources_count_apart_and_clearing_one_leaves_the_other()
    {
        var store = await MetadataStore.OpenAsync(_directory.Combine("fumidai.db"));
        for (int i = 0; i < 10; i++) await store.RecordFailureAsync("ann", "192.0.2.1", 10, LockFor, T0);
        await store.RecordFailureAsync("ann", "2001:db8::/64", 10, LockFor, T0);

        Assert.NotNull(await store.GetLockedUntilAsync("ann", "192.0.2.1", T0));
        Assert.Null(await store.GetLockedUntilAsync("ann", "2001:db8::/64", T0));
        Assert.NotNull(await store.GetLockedUntilAsync("ann", T0));

        Assert.True(await store.ClearFailuresAsync("ann", "2001:db8::/64"));
        Assert.NotNull(await store.GetLockedUntilAsync("ann", "192.0.2.1", T0));
        Assert.True(await store.ClearFailuresAsync("ann"));
        Assert.Null(await store.GetLockedUntilAsync("ann", T0));
    }

    [Fact]
    public async Task A_lock_from_a_version_2_database_holds_from_every_source()
    {
        string path = _directory.Combine("old.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE lockouts (user_name TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until TEXT);
                INSERT INTO lockouts VALUES ('ann', 10, '2026-01-05T09:30:00.0000000Z');
                PRAGMA user_version = 2;
                """;
            await command.ExecuteNonQueryAsync();
        }

        var store = await MetadataStore.OpenAsync(path);

        Assert.Equal(T0 + LockFor, await store.GetLockedUntilAsync("ann", "198.51.100.7", T0));
        Assert.Null(await store.GetLockedUntilAsync("ann", "198.51.100.7", T0 + LockFor));
    }
}
