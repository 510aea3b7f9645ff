using System.Security.Claims;
using System.Security.Cryptography;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;
using Fumidai.Web.Auth;

namespace Fumidai.Web.Tests;

/// <summary>What an IdP's claims make of a bastion user, on a real (SQLite) store: creation, refusal, role rewrite, disabling.</summary>
public sealed class OidcSignInResolveTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("fumidai-oidc-resolve");
    private MetadataStore _store = null!;
    private AuditLog _audit = null!;
    private readonly SecretProtector _protector = new(RandomNumberGenerator.GetBytes(32));

    public async Task InitializeAsync()
    {
        _store = await MetadataStore.OpenAsync(_directory.Combine("db"));
        _audit = new AuditLog(_store);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    private static OidcOptions Options(bool autoCreate = false) => new()
    {
        Authority = "https://idp.example",
        AutoCreate = autoCreate,
        BreakGlassUser = "glass",
        RoleMap = new(StringComparer.Ordinal) { ["admins"] = "admin", ["auditors"] = "auditor", ["ghosts"] = "nosuchrole" },
    };

    private static ClaimsPrincipal Claims(string? name, params string[] groups) => new(new ClaimsIdentity(
        (name is null ? [] : new[] { new Claim("preferred_username", name) }).Concat(groups.Select(g => new Claim("groups", g))), "idp"));

    private Task<(UserRecord? User, string? Message)> ResolveAsync(OidcOptions options, ClaimsPrincipal claims) =>
        new OidcSignIn(_store, _audit, options, _protector).ResolveAsync(claims, System.Net.IPAddress.Loopback, "console", CancellationToken.None);

    [Fact]
    public async Task Without_auto_create_an_unknown_user_is_refused_and_not_created()
    {
        var (user, message) = await ResolveAsync(Options(), Claims("nina", "admins"));
        Assert.Null(user);
        Assert.Equal(OidcSignIn.UnknownUser, message);
        Assert.Null(await _store.GetUserAsync("nina"));
        var refused = Assert.Single(await _store.ListAuditAsync(null), e => e.Type == AuditTypes.LoginFailure);
        Assert.Equal("unknown user (Oidc:AutoCreate is false)", refused.Details["reason"]);
    }

    [Fact]
    public async Task A_known_users_roles_follow_her_groups_and_the_change_is_audited()
    {
        await _store.AddUserAsync(new UserRecord("kim", ["auditor"], false, null, null, DateTimeOffset.UtcNow));
        var (user, _) = await ResolveAsync(Options(), Claims("kim", "admins", "auditors", "unmapped"));
        Assert.Equal(["admin", "auditor"], user!.Roles.Order(StringComparer.Ordinal));
        Assert.Equal(["admin", "auditor"], (await _store.GetUserAsync("kim"))!.Roles.Order(StringComparer.Ordinal));
        var change = Assert.Single(await _store.ListAuditAsync(null), e => e.Type == AuditTypes.AdminChange);
        Assert.Equal("user.set", change.Details["action"]);
        Assert.Equal("oidc", change.Details["actor"]);
    }

    [Fact]
    public async Task A_disabled_user_stays_refused_whatever_her_groups()
    {
        await _store.AddUserAsync(new UserRecord("dora", ["admin"], true, null, null, DateTimeOffset.UtcNow));
        var (user, message) = await ResolveAsync(Options(autoCreate: true), Claims("dora", "admins"));
        Assert.Null(user);
        Assert.Equal(OidcSignIn.Disabled, message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bad name")]
    [InlineData("-dash")]
    [InlineData("a@b.example")]
    public async Task A_missing_or_invalid_user_name_claim_is_refused(string? name)
    {
        var (user, message) = await ResolveAsync(Options(autoCreate: true), Claims(name, "admins"));
        Assert.Null(user);
        Assert.Equal(OidcSignIn.BadClaims, message);
        Assert.Empty(await _store.ListUsersAsync());
    }

    [Fact]
    public async Task A_group_mapped_to_a_role_that_does_not_exist_refuses_with_the_reason()
    {
        var (user, message) = await ResolveAsync(Options(autoCreate: true), Claims("gus", "ghosts"));
        Assert.Null(user);
        Assert.Contains("role 'nosuchrole' does not exist", message);
        Assert.Null(await _store.GetUserAsync("gus"));
    }

    [Fact]
    public async Task The_break_glass_user_is_neither_signed_in_nor_changed_by_the_idp()
    {
        await _store.AddUserAsync(new UserRecord("glass", ["admin"], false, null, null, DateTimeOffset.UtcNow));
        var (user, message) = await ResolveAsync(Options(), Claims("glass"));
        Assert.Null(user);
        Assert.Equal(OidcSignIn.BreakGlass, message);
        var stored = (await _store.GetUserAsync("glass"))!;
        Assert.False(stored.Disabled);
        Assert.Equal(["admin"], stored.Roles);
    }
}
