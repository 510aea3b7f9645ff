using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Tests.Storage;

/// <summary>Browser approvals of SSH logins on every provider: decided once by their own user while open, used once by their connection.</summary>
public abstract partial class MetadataStoreContract
{
    private static LoginApprovalRecord Approval(byte code, byte connection = 1, string user = "ann") =>
        new(Enumerable.Repeat(code, 32).ToArray(), Enumerable.Repeat(connection, 32).ToArray(), user, "192.0.2.7", "web01", "root", "node-a",
            T0, T0.AddMinutes(2), LoginApprovalStatus.Pending);

    [Fact]
    public async Task An_approval_is_decided_once_by_its_own_user_while_open_and_used_once_by_its_own_connection()
    {
        var approval = Approval(7);
        await Store.AddLoginApprovalAsync(approval);
        var read = await Store.GetLoginApprovalAsync(approval.CodeHash);
        Assert.NotNull(read);
        Assert.Equal(approval.ConnectionHash, read.ConnectionHash);
        Assert.Equal(("ann", "192.0.2.7", "web01", "root", "node-a"), (read.UserName, read.Source, read.Target, read.Login, read.Node));
        Assert.Equal((T0, T0.AddMinutes(2), LoginApprovalStatus.Pending), (read.Created, read.Expires, read.Status));
        Assert.Null(await Store.GetLoginApprovalAsync(Approval(8).CodeHash));

        // Nothing to use before it is approved; nobody but ann decides it.
        Assert.False(await Store.UseLoginApprovalAsync(approval.CodeHash, approval.ConnectionHash, T0.AddSeconds(5)));
        Assert.False(await Store.DecideLoginApprovalAsync(approval.CodeHash, "bob", true, T0.AddSeconds(10)));
        Assert.True(await Store.DecideLoginApprovalAsync(approval.CodeHash, "ann", true, T0.AddSeconds(10)));
        Assert.False(await Store.DecideLoginApprovalAsync(approval.CodeHash, "ann", false, T0.AddSeconds(11)));
        var decided = await Store.GetLoginApprovalAsync(approval.CodeHash);
        Assert.Equal((LoginApprovalStatus.Approved, "ann", T0.AddSeconds(10)), (decided!.Status, decided.DecidedBy, decided.Decided));

        Assert.False(await Store.UseLoginApprovalAsync(approval.CodeHash, Approval(7, connection: 2).ConnectionHash, T0.AddSeconds(12)));
        Assert.True(await Store.UseLoginApprovalAsync(approval.CodeHash, approval.ConnectionHash, T0.AddSeconds(12)));
        Assert.False(await Store.UseLoginApprovalAsync(approval.CodeHash, approval.ConnectionHash, T0.AddSeconds(13)));
        Assert.Equal(LoginApprovalStatus.Used, (await Store.GetLoginApprovalAsync(approval.CodeHash))!.Status);
    }

    [Fact]
    public async Task An_expired_approval_can_be_neither_decided_nor_used_and_is_deleted_later()
    {
        var late = Approval(9);
        var approved = Approval(10);
        await Store.AddLoginApprovalAsync(late);
        await Store.AddLoginApprovalAsync(approved);
        Assert.True(await Store.DecideLoginApprovalAsync(approved.CodeHash, "ann", true, T0.AddMinutes(1)));

        Assert.False(await Store.DecideLoginApprovalAsync(late.CodeHash, "ann", true, T0.AddMinutes(2)));
        Assert.False(await Store.UseLoginApprovalAsync(approved.CodeHash, approved.ConnectionHash, T0.AddMinutes(2)));

        Assert.Equal(0, await Store.DeleteLoginApprovalsAsync(T0.AddMinutes(2)));
        Assert.Equal(2, await Store.DeleteLoginApprovalsAsync(T0.AddMinutes(3)));
        Assert.Null(await Store.GetLoginApprovalAsync(late.CodeHash));
    }

    [Fact]
    public async Task Of_concurrent_decisions_on_one_approval_exactly_one_wins()
    {
        var approval = Approval(11);
        await Store.AddLoginApprovalAsync(approval);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => Store.DecideLoginApprovalAsync(approval.CodeHash, "ann", i % 2 == 0, T0.AddSeconds(1)))));
        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task A_role_s_second_factor_is_stored_and_changed()
    {
        Assert.Empty(await Store.ListRoleAuthAsync());
        await Store.SetRoleAuthAsync("ops", RoleAuthMethods.Sso);
        await Store.SetRoleAuthAsync("dba", RoleAuthMethods.Totp);
        await Store.SetRoleAuthAsync("ops", RoleAuthMethods.Totp);
        await Store.SetRoleAuthAsync("dba", RoleAuthMethods.Sso);
        var methods = await Store.ListRoleAuthAsync();
        Assert.Equal(RoleAuthMethods.Totp, methods["ops"]);
        Assert.Equal(RoleAuthMethods.Sso, methods["dba"]);
    }
}
