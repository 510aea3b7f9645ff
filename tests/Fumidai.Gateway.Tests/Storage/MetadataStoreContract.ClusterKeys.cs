using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Storage;

/// <summary>The cluster's shared keys, on every provider: the first stored key by a name wins, and later ones are not kept.</summary>
public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task The_first_cluster_key_stored_by_a_name_is_kept_and_a_second_is_refused()
    {
        Assert.False(await Store.HasClusterKeysAsync());
        Assert.Null(await Store.GetClusterKeyAsync("user_ca"));

        Assert.True(await Store.TryAddClusterKeyAsync(new ClusterKeyRecord("user_ca", "ssh-ed25519 AAAA first", [1, 2, 3], T0)));
        Assert.False(await Store.TryAddClusterKeyAsync(new ClusterKeyRecord("user_ca", "ssh-ed25519 AAAA second", [4, 5], T0.AddMinutes(1))));

        var kept = await Store.GetClusterKeyAsync("user_ca");
        Assert.Equal(("user_ca", "ssh-ed25519 AAAA first", T0), (kept!.Name, kept.PublicKey, kept.Created));
        Assert.Equal(new byte[] { 1, 2, 3 }, kept.SealedPrivateKey);
        Assert.True(await Store.HasClusterKeysAsync());
    }
}
