using System.Text.Json;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Tests.Cli;

public sealed class UserCommandTests : IClassFixture<InitializedCli>
{
    private readonly CliHarness _cli;

    public UserCommandTests(InitializedCli fixture) => _cli = fixture.Cli;

    [Fact]
    public async Task User_add_with_key_and_password_prints_an_enrolment_that_oathtool_and_the_verifier_agree_on()
    {
        var (keyFile, fingerprint) = _cli.NewPublicKeyFile("alice");
        string png = _cli.File("alice-qr.png");
        var result = await _cli.OkWithInputAsync("correct horse 42 battery\n",
            "user", "add", "alice", "--key", keyFile, "--password-stdin", "--role", "user", "--qr-png", png);

        Assert.StartsWith("otpauth://totp/", result.Out);
        var uri = TotpCodes.EnrolmentUri(result.Out);
        Assert.Equal("totp", uri.Host);
        Assert.Equal("/Fumidai:alice", uri.AbsolutePath);
        var query = TotpCodes.Query(uri);
        Assert.Equal("Fumidai", query["issuer"]);
        Assert.Equal("SHA1", query["algorithm"]);
        Assert.Equal("6", query["digits"]);
        Assert.Equal("30", query["period"]);
        Assert.Contains("▀", result.Out);

        string code = TotpCodes.Oathtool(query["secret"]);
        Assert.NotNull(TotpVerifier.Verify(TotpCodes.Secret(result.Out), code, DateTimeOffset.UtcNow));

        var store = await _cli.StoreAsync();
        var alice = (await store.GetUserAsync("alice"))!;
        var stored = _cli.Data.LoadProtector().Unprotect(alice.EncryptedTotpSecret!, "totp:alice");
        Assert.NotNull(TotpVerifier.Verify(stored, code, DateTimeOffset.UtcNow));
        Assert.True(PasswordHasher.Verify("correct horse 42 battery", alice.PasswordHash!));
        Assert.Equal(fingerprint, Assert.Single(await store.ListUserKeysAsync("alice")).Fingerprint);

        var pngBytes = File.ReadAllBytes(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], pngBytes[..4]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(png));
        Assert.DoesNotContain("correct horse", result.Out + result.Error);
    }

    [Fact]
    public async Task User_add_refuses_a_weak_password_an_unknown_role_and_an_existing_name()
    {
        var weak = await _cli.RunAsync(["user", "add", "weakling", "--password-stdin"], "short1\n");
        Assert.Equal(ExitCodes.Usage, weak.ExitCode);
        Assert.Contains("12 characters", weak.Error);

        var noDigits = await _cli.RunAsync(["user", "add", "weakling", "--password-stdin"], "onlylettershere\n");
        Assert.Equal(ExitCodes.Usage, noDigits.ExitCode);

        var role = await _cli.RunAsync("user", "add", "weakling", "--role", "no-such-role");
        Assert.Equal(ExitCodes.NotFound, role.ExitCode);
        Assert.Contains("no-such-role", role.Error);
        Assert.Null(await (await _cli.StoreAsync()).GetUserAsync("weakling"));

        var existing = await _cli.RunAsync("user", "add", "boss");
        Assert.Equal(ExitCodes.Conflict, existing.ExitCode);
    }

    [Fact]
    public async Task User_key_add_and_remove_by_file_and_by_fingerprint()
    {
        await _cli.OkAsync("user", "add", "bob");
        var (first, firstPrint) = _cli.NewPublicKeyFile("bob1");
        var (second, secondPrint) = _cli.NewPublicKeyFile("bob2", "ecdsa-sha2-nistp256");
        await _cli.OkAsync("user", "key", "add", "bob", first);
        await _cli.OkAsync("user", "key", "add", "bob", second);
        Assert.Equal(ExitCodes.Conflict, (await _cli.RunAsync("user", "key", "add", "bob", first)).ExitCode);

        var shown = JsonDocument.Parse((await _cli.OkAsync("user", "show", "bob", "--json")).Out).RootElement;
        Assert.Equal(new[] { firstPrint, secondPrint }.Order(StringComparer.Ordinal),
            shown.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("fingerprint").GetString()!).Order(StringComparer.Ordinal));

        await _cli.OkAsync("user", "key", "remove", "bob", first);
        await _cli.OkAsync("user", "key", "remove", "bob", secondPrint);
        Assert.Empty(await (await _cli.StoreAsync()).ListUserKeysAsync("bob"));
        Assert.Equal(ExitCodes.NotFound, (await _cli.RunAsync("user", "key", "remove", "bob", first)).ExitCode);
    }

    [Fact]
    public async Task The_same_key_may_belong_to_several_users()
    {
        var (shared, print) = _cli.NewPublicKeyFile("shared");
        await _cli.OkAsync("user", "add", "carol", "--key", shared);
        await _cli.OkAsync("user", "add", "dave", "--key", shared);
        var store = await _cli.StoreAsync();
        Assert.Equal(print, Assert.Single(await store.ListUserKeysAsync("carol")).Fingerprint);
        Assert.Equal(print, Assert.Single(await store.ListUserKeysAsync("dave")).Fingerprint);
    }

    [Fact]
    public async Task User_set_replaces_roles_with_existing_ones()
    {
        await _cli.OkAsync("role", "add", "web-ops", "--targets", "web*", "--logins", "deploy");
        await _cli.OkAsync("user", "add", "erin");
        await _cli.OkAsync("user", "set", "erin", "--role", "web-ops", "--role", "auditor");
        Assert.Equal(["web-ops", "auditor"], (await (await _cli.StoreAsync()).GetUserAsync("erin"))!.Roles);
        await _cli.OkAsync("user", "set", "erin", "--role", "user,web-ops");
        Assert.Equal(["user", "web-ops"], (await (await _cli.StoreAsync()).GetUserAsync("erin"))!.Roles);
        Assert.Equal(ExitCodes.NotFound, (await _cli.RunAsync("user", "set", "erin", "--role", "ghosts")).ExitCode);
        Assert.Equal(ExitCodes.NotFound, (await _cli.RunAsync("user", "set", "nobody", "--role", "user")).ExitCode);
    }

    [Fact]
    public async Task Disable_and_enable_show_in_list()
    {
        await _cli.OkAsync("user", "add", "frank");
        await _cli.OkAsync("user", "disable", "frank");
        Assert.Equal("disabled", UserState(await _cli.OkAsync("user", "list", "--json"), "frank"));
        Assert.Contains("frank", (await _cli.OkAsync("user", "list")).Out);
        await _cli.OkAsync("user", "enable", "frank");
        Assert.Equal("enabled", UserState(await _cli.OkAsync("user", "list", "--json"), "frank"));
    }

    [Fact]
    public async Task Lock_disable_and_reset_mfa_ask_the_bastions_to_end_her_connections_and_lock_holds_until_unlock()
    {
        await _cli.OkAsync("user", "add", "henry");
        var store = await _cli.StoreAsync();
        long before = await store.LatestRevocationAsync();

        await _cli.OkAsync("user", "lock", "henry");
        Assert.NotNull(await store.GetLockedUntilAsync("henry", DateTimeOffset.UtcNow + TimeSpan.FromDays(3650)));
        Assert.Equal("locked", UserState(await _cli.OkAsync("user", "list", "--json"), "henry"));
        await _cli.OkAsync("user", "disable", "henry");
        await _cli.OkAsync("user", "reset-mfa", "henry");
        await _cli.OkAsync("user", "enable", "henry");

        var requests = await store.ListRevocationsAfterAsync(before);
        Assert.Equal(["locked", "disabled", "MFA reset"], requests.Select(r => r.Reason));
        Assert.All(requests, r => Assert.Equal(("user", "henry"), (r.Scope, r.User)));
        Assert.NotNull(await store.GetUserRevokedAsync("henry"));
        await _cli.OkAsync("user", "unlock", "henry");
        Assert.Null(await store.GetLockedUntilAsync("henry", DateTimeOffset.UtcNow));
        Assert.Equal(ExitCodes.NotFound, (await _cli.RunAsync("user", "lock", "nobody")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await _cli.RunAsync("user", "lock", "henry", "--for", "soon")).ExitCode);
    }

    [Fact]
    public async Task Disable_keeps_the_given_reason_with_the_revocation_and_in_the_audit_and_refuses_a_reason_with_control_characters()
    {
        await _cli.OkAsync("user", "add", "ivo");
        var store = await _cli.StoreAsync();
        long before = await store.LatestRevocationAsync();

        Assert.Equal(ExitCodes.Usage, (await _cli.RunAsync("user", "disable", "ivo", "--reason", "bad\u001b[2Jreason")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await _cli.RunAsync("user", "disable", "ivo", "--reason", new string('r', 201))).ExitCode);
        Assert.Equal("enabled", UserState(await _cli.OkAsync("user", "list", "--json"), "ivo"));
        Assert.Empty(await store.ListRevocationsAfterAsync(before));

        await _cli.OkAsync("user", "disable", "ivo", "--reason", "left the company");
        var request = Assert.Single(await store.ListRevocationsAfterAsync(before));
        Assert.Equal(("user", "ivo", "left the company"), (request.Scope, request.User, request.Reason));
        var audited = Assert.Single(await store.ListAuditAsync(null), e => e.Details.GetValueOrDefault("action") == "user.disable" && e.User == "ivo");
        Assert.Equal("left the company", audited.Details["reason"]);
        Assert.Equal("enabled", audited.Details["was"]);
        Assert.Equal("cli", audited.Source);
        Assert.Equal(Environment.UserName, audited.Details["actor"]);
    }

    [Fact]
    public async Task Unlock_clears_a_lockout()
    {
        await _cli.OkAsync("user", "add", "grace");
        var store = await _cli.StoreAsync();
        for (int i = 0; i < 10; i++) await store.RecordFailureAsync("grace", "192.0.2.1", 10, TimeSpan.FromMinutes(30), DateTimeOffset.UtcNow);
        Assert.Equal("locked", UserState(await _cli.OkAsync("user", "list", "--json"), "grace"));
        var result = await _cli.OkAsync("user", "unlock", "grace");
        Assert.Contains("unlocked", result.Out);
        Assert.Null(await store.GetLockedUntilAsync("grace", DateTimeOffset.UtcNow));
        Assert.Equal("enabled", UserState(await _cli.OkAsync("user", "list", "--json"), "grace"));
    }

    [Fact]
    public async Task Reset_mfa_issues_a_new_secret_and_the_old_codes_stop_working()
    {
        var added = await _cli.OkAsync("user", "add", "heidi");
        string oldCode = TotpCodes.Oathtool(TotpCodes.Base32Secret(added.Out));
        var reset = await _cli.OkAsync("user", "reset-mfa", "heidi");
        Assert.StartsWith("otpauth://totp/", reset.Out);
        Assert.NotEqual(TotpCodes.Base32Secret(added.Out), TotpCodes.Base32Secret(reset.Out));

        var heidi = (await (await _cli.StoreAsync()).GetUserAsync("heidi"))!;
        var stored = _cli.Data.LoadProtector().Unprotect(heidi.EncryptedTotpSecret!, "totp:heidi");
        Assert.Equal(TotpCodes.Secret(reset.Out), stored);
        Assert.Null(TotpVerifier.Verify(stored, oldCode, DateTimeOffset.UtcNow));
        Assert.NotNull(TotpVerifier.Verify(stored, TotpCodes.Oathtool(TotpCodes.Base32Secret(reset.Out)), DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task User_show_never_prints_secrets()
    {
        var added = await _cli.OkWithInputAsync("another Secret 99\n", "user", "add", "ivan", "--password-stdin");
        var show = await _cli.OkAsync("user", "show", "ivan");
        var list = await _cli.OkAsync("user", "list", "--json");
        string secret = TotpCodes.Base32Secret(added.Out);
        foreach (var text in new[] { show.Out, list.Out })
        {
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain("argon2", text);
        }
        Assert.Contains("password: set", show.Out);
    }

    private static string UserState(CliResult list, string name) =>
        JsonDocument.Parse(list.Out).RootElement.EnumerateArray().Single(u => u.GetProperty("name").GetString() == name).GetProperty("state").GetString()!;
}
