using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Storage;

/// <summary>Login certificates, machine accounts, session id prefixes and the console's session pages, on every provider.</summary>
public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task Login_certificates_get_increasing_serials_and_are_revoked_per_user()
    {
        long first = await Store.AddLoginCertificateAsync("ann", "SHA256:ann", T0, T0.AddHours(8), "192.0.2.1");
        long second = await Store.AddLoginCertificateAsync("ann", "SHA256:ann", T0.AddMinutes(1), T0.AddHours(8), null);
        long bobs = await Store.AddLoginCertificateAsync("bob", "SHA256:bob", T0, T0.AddHours(1), null);
        Assert.True(first > 0 && second > first && bobs > second, $"{first} {second} {bobs}");

        var read = await Store.GetLoginCertificateAsync(first);
        Assert.Equal(("ann", "SHA256:ann", T0, T0.AddHours(8), "192.0.2.1", (DateTimeOffset?)null),
            (read!.UserName, read.KeyFingerprint, read.Issued, read.ValidBefore, read.Source, read.Revoked));
        Assert.Null(await Store.GetLoginCertificateAsync(bobs + 1000));

        Assert.Equal(2, await Store.RevokeLoginCertificatesAsync("ann", T0.AddHours(2)));
        Assert.Equal(0, await Store.RevokeLoginCertificatesAsync("ann", T0.AddHours(3)));
        Assert.Equal(T0.AddHours(2), (await Store.GetLoginCertificateAsync(second))!.Revoked);
        Assert.Null((await Store.GetLoginCertificateAsync(bobs))!.Revoked);
    }

    [Fact]
    public async Task Role_certificate_settings_replace_each_other_and_go_with_the_role()
    {
        Assert.True(await Store.AddRoleAsync(new AccessRole("ops", ["web*"], ["root"], ["shell"], null, null)));
        await Store.SetRoleLoginCertificatesAsync(new RoleLoginCertificates("ops", TimeSpan.FromHours(8), false));
        await Store.SetRoleLoginCertificatesAsync(new RoleLoginCertificates("ops", TimeSpan.FromHours(4), true));
        Assert.Equal(new RoleLoginCertificates("ops", TimeSpan.FromHours(4), true), Assert.Single(await Store.ListRoleLoginCertificatesAsync()));
        Assert.True(await Store.RemoveRoleAsync("ops"));
        Assert.Empty(await Store.ListRoleLoginCertificatesAsync());
    }

    [Fact]
    public async Task A_machine_account_needs_its_user_and_is_made_once()
    {
        Assert.False(await Store.AddMachineAccountAsync("ghost", "10.0.0.0/8"));
        Assert.True(await Store.AddUserAsync(User("deploy")));
        Assert.True(await Store.AddMachineAccountAsync("deploy", "10.0.0.0/8,192.0.2.7"));
        Assert.False(await Store.AddMachineAccountAsync("deploy", "0.0.0.0/0"));
        Assert.Equal("10.0.0.0/8,192.0.2.7", await Store.GetMachineAccountAsync("deploy"));
        Assert.Equal(["deploy"], (await Store.ListMachineAccountsAsync()).Keys);
    }

    [Fact]
    public async Task Session_id_prefixes_match_text_not_patterns()
    {
        foreach (string id in new[] { "20260105T0900-aa11", "20260105T0900-ab22", "20260105T0901-cc33", "2026_05" })
            await Store.AddSessionAsync(new SessionRecord(id, "ann", "web01", "root", "shell", null, "192.0.2.1", T0, null, SessionStatus.Running, null, 0, 0, null));
        Assert.Equal(["20260105T0900-aa11", "20260105T0900-ab22"], (await Store.FindSessionsByPrefixAsync("20260105T0900", 10)).Select(s => s.Id));
        Assert.Equal(["20260105T0901-cc33"], (await Store.FindSessionsByPrefixAsync("20260105T0901", 10)).Select(s => s.Id));
        Assert.Single(await Store.FindSessionsByPrefixAsync("2026010", 1));
        Assert.Equal(["2026_05"], (await Store.FindSessionsByPrefixAsync("2026_", 10)).Select(s => s.Id));
        Assert.Empty(await Store.FindSessionsByPrefixAsync("%", 10));
    }

    [Fact]
    public async Task Session_pages_filter_sort_and_count_alike()
    {
        for (int i = 0; i < 7; i++)
            await Store.AddSessionAsync(new SessionRecord($"s{i}", i % 2 == 0 ? "ann" : "bob", "web01", "root", "exec", i == 3 ? "Deploy Release" : "uptime",
                "192.0.2.1", T0.AddMinutes(i), null, SessionStatus.Running, null, i, 0, null));
        var page = await Store.QuerySessionPageAsync(new SessionPageQuery { User = "ann", PageSize = 2, Page = 2, Descending = false });
        Assert.Equal(4, page.Total);
        Assert.Equal(["s4", "s6"], page.Items.Select(e => e.Session.Id));
        var text = await Store.QuerySessionPageAsync(new SessionPageQuery { Text = "deploy" });
        Assert.Equal(["s3"], text.Items.Select(e => e.Session.Id));
    }
}
