using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Storage;

/// <summary>IdP refresh tokens, on every provider: the newest sign-in's token wins, a sync replaces only the token it read.</summary>
public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task An_idp_token_is_replaced_by_a_new_sign_in_but_a_sync_replaces_only_the_token_it_read()
    {
        Assert.True(await Store.AddUserAsync(User("ann")));
        Assert.True(await Store.AddUserAsync(User("bob")));
        Assert.Null(await Store.GetIdpTokenAsync("ann"));

        await Store.SetIdpTokenAsync(new IdpTokenRecord("ann", "sub-ann", [1, 2, 3], T0));
        await Store.SetIdpTokenAsync(new IdpTokenRecord("bob", "sub-bob", [9], T0));
        await Store.SetIdpTokenAsync(new IdpTokenRecord("ann", "sub-ann", [4, 5], T0.AddMinutes(1)));
        var ann = await Store.GetIdpTokenAsync("ann");
        Assert.Equal(("ann", "sub-ann", T0.AddMinutes(1)), (ann!.UserName, ann.Subject, ann.Updated));
        Assert.Equal(new byte[] { 4, 5 }, ann.SealedToken);

        // A sync that read the older token loses to the sign-in that replaced it.
        Assert.False(await Store.ReplaceIdpTokenAsync("ann", [1, 2, 3], [7], T0.AddMinutes(2)));
        Assert.True(await Store.ReplaceIdpTokenAsync("ann", [4, 5], [6], T0.AddMinutes(2)));
        Assert.Equal(new byte[] { 6 }, (await Store.GetIdpTokenAsync("ann"))!.SealedToken);

        Assert.Equal(["ann", "bob"], (await Store.ListIdpTokensAsync()).Select(t => t.UserName));
        Assert.True(await Store.DeleteIdpTokenAsync("bob"));
        Assert.False(await Store.DeleteIdpTokenAsync("bob"));
        Assert.Equal(["ann"], (await Store.ListIdpTokensAsync()).Select(t => t.UserName));
    }
}
