using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Identity.Idp;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Tests.Idp;

/// <summary>
/// The leaver sync against a scripted IdP on a real (SQLite) store: what the IdP's answers do to a user, and that every answer
/// that is not a clear "she is gone" or "these are her groups" changes nobody.
/// </summary>
public sealed class LeaverSyncTests : IAsyncLifetime
{
    private const string Authority = "https://idp.example";
    private readonly TempDirectory _directory = new("fumidai-leaver-sync");
    private readonly SecretProtector _protector = new(RandomNumberGenerator.GetBytes(32));
    private readonly ScriptedIdp _idp = new();
    private MetadataStore _store = null!;
    private AuditLog _audit = null!;

    private static readonly OidcOptions Options = new()
    {
        Authority = Authority,
        ClientId = "bastion",
        ClientSecret = "client secret",
        RoleMap = new(StringComparer.Ordinal) { ["admins"] = "admin", ["auditors"] = "auditor" },
    };

    public async Task InitializeAsync()
    {
        _store = await MetadataStore.OpenAsync(_directory.Combine("db"));
        _audit = new AuditLog(_store);
        await new UserAdministration(_store, _audit, new AdminActor("test", "cli")).AddAsync("ann", ["auditor"], [], null, _protector, CancellationToken.None);
        await IdpTokens.KeepAsync(_store, _protector, "ann", "sub-ann", "refresh-1", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    private async Task<LeaverSyncResult> SyncAsync(bool dryRun = false)
    {
        using var client = new IdpClient(Options, _idp);
        var results = await new LeaverSync(_store, _audit, Options, _protector, client, new AdminActor("test", "cli")) { DryRun = dryRun }
            .RunAsync(null, CancellationToken.None);
        return Assert.Single(results);
    }

    private async Task<string> StoredTokenAsync() => IdpTokens.Open(_protector, (await _store.GetIdpTokenAsync("ann"))!);

    private async Task<List<AuditEvent>> SyncAuditAsync() =>
        (await _store.ListAuditAsync(null, CancellationToken.None)).Where(e => e.Type == AuditTypes.IdpSync).ToList();

    [Theory]
    [InlineData(401, """{"error":"invalid_client"}""", 200, """{"sub":"sub-ann","groups":[]}""", "token endpoint answered 401 with error invalid_client")]
    [InlineData(500, "<html>down</html>", 200, """{"sub":"sub-ann","groups":[]}""", "token endpoint answered 500 without JSON")]
    [InlineData(200, "TOKENS", 401, "{}", "userinfo refused the fresh access token (401)")]
    [InlineData(200, "TOKENS", 200, """{"sub":"sub-ann"}""", "the IdP's answer has no groups claim")]
    [InlineData(200, "TOKENS", 200, """{"sub":"sub-other","groups":[]}""", "userinfo names another subject than her sign-in did")]
    public async Task An_answer_that_says_nothing_clear_about_her_changes_nobody(int tokenStatus, string tokenBody, int userInfoStatus, string userInfo,
        string reason)
    {
        _idp.Token = (HttpStatusCode)tokenStatus;
        _idp.TokenBody = tokenBody == "TOKENS" ? ScriptedIdp.Tokens(null, null) : tokenBody;
        _idp.UserInfo = (HttpStatusCode)userInfoStatus;
        _idp.UserInfoBody = userInfo;

        var result = await SyncAsync();

        Assert.Equal((LeaverSync.Error, reason), (result.Status, result.Reason));
        var ann = await _store.GetUserAsync("ann");
        Assert.False(ann!.Disabled);
        Assert.Equal(["auditor"], ann.Roles);
        Assert.Equal("refresh-1", await StoredTokenAsync());
        var failed = Assert.Single(await SyncAuditAsync());
        Assert.Equal(("sync-failed", AuditOutcome.Failure, reason), (failed.Details["result"], failed.Outcome, failed.Details["reason"]));
        // The secret went only as Basic authentication, never in a body.
        Assert.DoesNotContain(_idp.Bodies, b => b.Contains("client+secret", StringComparison.Ordinal) || b.Contains("client%20secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_grant_disables_her_and_forgets_her_token_but_a_dry_run_only_says_so()
    {
        _idp.Token = HttpStatusCode.BadRequest;
        _idp.TokenBody = """{"error":"invalid_grant","error_description":"grant request is invalid"}""";

        var dry = await SyncAsync(dryRun: true);
        Assert.Equal(LeaverSync.Disabled, dry.Status);
        Assert.False((await _store.GetUserAsync("ann"))!.Disabled);
        Assert.NotNull(await _store.GetIdpTokenAsync("ann"));
        Assert.Empty(await SyncAuditAsync());

        var result = await SyncAsync();
        Assert.Equal(LeaverSync.Disabled, result.Status);
        Assert.True((await _store.GetUserAsync("ann"))!.Disabled);
        Assert.Null(await _store.GetIdpTokenAsync("ann"));
        Assert.Equal(LeaverSync.LeftReason, (await _store.ListRevocationsAfterAsync(0, CancellationToken.None))[^1].Reason);
        Assert.Equal("user-left", Assert.Single(await SyncAuditAsync()).Details["result"]);
    }

    [Fact]
    public async Task A_refusal_of_a_token_that_a_new_sign_in_replaced_meanwhile_disables_nobody()
    {
        _idp.Token = HttpStatusCode.BadRequest;
        _idp.TokenBody = """{"error":"invalid_grant"}""";
        _idp.OnToken = () => IdpTokens.KeepAsync(_store, _protector, "ann", "sub-ann", "refresh-new", CancellationToken.None).GetAwaiter().GetResult();

        var result = await SyncAsync();

        Assert.Equal(LeaverSync.Unchanged, result.Status);
        Assert.False((await _store.GetUserAsync("ann"))!.Disabled);
        Assert.Equal("refresh-new", await StoredTokenAsync());
    }

    [Fact]
    public async Task A_rotated_token_is_kept_even_by_a_dry_run_and_groups_in_the_refreshed_id_token_count()
    {
        // Userinfo without groups (as Entra ID's), the ID token from the token endpoint with them; the IdP rotated the token.
        _idp.TokenBody = ScriptedIdp.Tokens("refresh-2", ScriptedIdp.IdToken(Authority, "bastion", "sub-ann", ["auditors", "admins"]));
        _idp.UserInfoBody = """{"sub":"sub-ann","preferred_username":"ann"}""";

        var dry = await SyncAsync(dryRun: true);
        Assert.Equal((LeaverSync.RolesChanged, "admin,auditor"), (dry.Status, string.Join(',', dry.Roles)));
        Assert.Equal(["auditor"], (await _store.GetUserAsync("ann"))!.Roles);
        Assert.Equal("refresh-2", await StoredTokenAsync());
        Assert.Contains(_idp.Bodies, b => b.Contains("refresh_token=refresh-1", StringComparison.Ordinal));

        _idp.TokenBody = ScriptedIdp.Tokens(null, ScriptedIdp.IdToken(Authority, "bastion", "sub-ann", ["auditors", "admins"]));
        var result = await SyncAsync();
        Assert.Equal(LeaverSync.RolesChanged, result.Status);
        Assert.Equal(["admin", "auditor"], (await _store.GetUserAsync("ann"))!.Roles.Order());
        Assert.Contains(_idp.Bodies, b => b.Contains("refresh_token=refresh-2", StringComparison.Ordinal));
        Assert.Equal("roles-changed", Assert.Single(await SyncAuditAsync()).Details["result"]);

        // An ID token for another client is not believed.
        _idp.TokenBody = ScriptedIdp.Tokens(null, ScriptedIdp.IdToken(Authority, "someone-else", "sub-ann", []));
        Assert.Equal(LeaverSync.Error, (await SyncAsync()).Status);
        Assert.Equal(["admin", "auditor"], (await _store.GetUserAsync("ann"))!.Roles.Order());
    }

    /// <summary>An IdP whose answers the test sets: discovery, the token endpoint and userinfo.</summary>
    private sealed class ScriptedIdp : HttpMessageHandler
    {
        public HttpStatusCode Token { get; set; } = HttpStatusCode.OK;
        public string TokenBody { get; set; } = Tokens(null, null);
        public HttpStatusCode UserInfo { get; set; } = HttpStatusCode.OK;
        public string UserInfoBody { get; set; } = """{"sub":"sub-ann","groups":["auditors"]}""";
        public Action? OnToken { get; set; }
        public List<string> Bodies { get; } = [];

        public static string Tokens(string? refresh, string? idToken) => JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["access_token"] = "access",
            ["token_type"] = "Bearer",
            ["refresh_token"] = refresh,
            ["id_token"] = idToken,
        }.Where(p => p.Value is not null).ToDictionary());

        public static string IdToken(string issuer, string audience, string subject, string[] groups)
        {
            static string Part(object value) => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            return $"{Part(new { alg = "RS256" })}.{Part(new { iss = issuer, aud = audience, sub = subject, groups })}.c2ln";
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null) Bodies.Add(await request.Content.ReadAsStringAsync(cancellationToken));
            return request.RequestUri!.AbsolutePath switch
            {
                "/.well-known/openid-configuration" => Answer(HttpStatusCode.OK, $$"""
                    {"issuer":"{{Authority}}","token_endpoint":"{{Authority}}/token","userinfo_endpoint":"{{Authority}}/me",
                     "token_endpoint_auth_methods_supported":["client_secret_basic"]}
                    """),
                "/token" when request.Headers.Authorization?.Scheme == "Basic"
                    && Encoding.UTF8.GetString(Convert.FromBase64String(request.Headers.Authorization.Parameter!)) == "bastion:client%20secret"
                    => TokenAnswer(),
                "/token" => Answer(HttpStatusCode.Unauthorized, """{"error":"invalid_client"}"""),
                "/me" when request.Headers.Authorization?.Parameter == "access" => Answer(UserInfo, UserInfoBody),
                _ => Answer(HttpStatusCode.NotFound, "{}"),
            };
        }

        private HttpResponseMessage TokenAnswer()
        {
            OnToken?.Invoke();
            return Answer(Token, TokenBody);
        }

        private static HttpResponseMessage Answer(HttpStatusCode status, string body) =>
            new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }
}
