using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Storage;

/// <summary>The shared store behaviour on a real PostgreSQL 15, one fresh database per test.</summary>
public sealed class PostgresMetadataStoreTests(PostgresServer server) : MetadataStoreContract, IClassFixture<PostgresServer>
{
    private string? _database;

    protected override async Task<MetadataStore> OpenEmptyStoreAsync() => await MetadataStore.OpenPostgresAsync(_database = await server.CreateDatabaseAsync());

    protected override Task<MetadataStore> OpenSecondStoreAsync() => MetadataStore.OpenPostgresAsync(_database!);

    [Fact]
    public async Task Nodes_opening_one_new_database_at_once_migrate_it_once()
    {
        string database = await server.CreateDatabaseAsync();
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => MetadataStore.OpenPostgresAsync(database))));
        try
        {
            Assert.True(await stores[0].AddUserAsync(new Identity.UserRecord("ann", [], false, null, null, T0)));
            Assert.False(await stores[3].AddUserAsync(new Identity.UserRecord("ann", [], false, null, null, T0)));
        }
        finally
        {
            foreach (var store in stores) await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_store_that_cannot_reach_its_database_fails_with_a_database_error()
    {
        var ex = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
            MetadataStore.OpenPostgresAsync(server.ConnectionString("no_such_database")));
        Assert.Contains("no_such_database", ex.Message);
    }
}
