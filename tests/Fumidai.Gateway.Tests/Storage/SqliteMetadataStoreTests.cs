using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Storage;

/// <summary>The shared store behaviour on the embedded SQLite file.</summary>
public sealed class SqliteMetadataStoreTests : MetadataStoreContract
{
    private readonly TempDirectory _directory = new("fumidai-store");

    protected override Task<MetadataStore> OpenEmptyStoreAsync() => MetadataStore.OpenAsync(_directory.Combine("fumidai.db"));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
