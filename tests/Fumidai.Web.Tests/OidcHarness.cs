using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fumidai.Web.Hosting;
using Microsoft.Playwright;

namespace Fumidai.Web.Tests;

/// <summary>
/// The end-to-end bastion with its console on a free port, signing people in through a real OpenID provider (<see cref="OidcProvider"/>)
/// whose CA it is told to trust. Password sign-in is off except for the break-glass admin <c>glass</c>.
/// </summary>
/// <remarks>
/// IdP users: <c>ada</c>, <c>tampa</c> (group <c>fumidai-admins</c>, mapped to admin), <c>aud</c>, <c>leaver</c> (<c>fumidai-auditors</c>, auditor),
/// <c>ollie</c> and <c>glass</c> (only <c>marketing</c>, which maps to nothing), <c>sam</c> and <c>sid</c> (<c>fumidai-sso</c>, the role
/// <c>ssoops</c> whose SSH logins are approved in the browser; <c>lea</c>, <c>una</c>, <c>pia</c> and <c>gus</c> likewise, for leavers),
/// <c>rosa</c> (<c>fumidai-auditors</c>, her groups changed by the leaver sync). Bastion users made by the CLI: <c>glass</c> (admin, the break-glass user),
/// <c>localadm</c> (admin with a password, refused the form). Users the bastion does not know are created at first sign-in.
/// </remarks>
public sealed class OidcHarness : IAsyncLifetime
{
    public const string Password = "console password 2026";
    public const string IdpPassword = "idp password 2026";
    private readonly TempDirectory _secrets = new("fumidai-oidc-secret");

    public OidcHarness()
    {
        WebPort = BastionProcess.FreePort();
        Idp = new OidcProvider(InitialUsers(), $"https://127.0.0.1:{WebPort}/signin-oidc");
        string secretFile = _secrets.Combine("client_secret");
        File.WriteAllText(secretFile, Idp.ClientSecret + "\n");
        Bastion = new BastionHarness
        {
            BastionEnvironment = new Dictionary<string, string>
            {
                ["FUMIDAI__Sessions__DrainTimeout"] = "3s",
                [BastionProcess.WebEnabledVariable] = "true",
                ["FUMIDAI__Web__Listen"] = $"127.0.0.1:{WebPort}",
                ["FUMIDAI__Oidc__Authority"] = Idp.Issuer,
                ["FUMIDAI__Oidc__ClientId"] = OidcProvider.ClientId,
                ["FUMIDAI__Oidc__ClientSecretFile"] = secretFile,
                ["FUMIDAI__Oidc__CaFile"] = Idp.CaFile,
                ["FUMIDAI__Oidc__Scopes"] = "openid profile groups",
                ["FUMIDAI__Oidc__RolesClaim"] = "groups",
                ["FUMIDAI__Oidc__RoleMap__fumidai-admins"] = "admin",
                ["FUMIDAI__Oidc__RoleMap__fumidai-auditors"] = "auditor",
                ["FUMIDAI__Oidc__RoleMap__fumidai-ops"] = "ops",
                ["FUMIDAI__Oidc__RoleMap__fumidai-sso"] = "ssoops",
                ["FUMIDAI__Oidc__ApprovalLifetime"] = $"{(int)ApprovalLifetime.TotalSeconds}s",
                ["FUMIDAI__Web__PublicUrl"] = $"https://127.0.0.1:{WebPort}",
                ["FUMIDAI__Oidc__AutoCreate"] = "true",
                ["FUMIDAI__Oidc__LocalSignIn"] = "false",
                ["FUMIDAI__Oidc__BreakGlassUser"] = "glass",
                // Leaver tests run the sync themselves (or restart the bastion with an interval) so they know who acted.
                ["FUMIDAI__Oidc__SyncInterval"] = "off",
            },
        };
    }

    public static Dictionary<string, IdpUser> InitialUsers() => new(StringComparer.Ordinal)
    {
        ["ada"] = new(IdpPassword, ["fumidai-admins", "staff"]),
        ["tampa"] = new(IdpPassword, ["fumidai-admins"]),
        ["aud"] = new(IdpPassword, ["fumidai-auditors"]),
        ["leaver"] = new(IdpPassword, ["fumidai-auditors"]),
        ["ollie"] = new(IdpPassword, ["marketing"]),
        ["glass"] = new(IdpPassword, ["marketing"]),
        ["sam"] = new(IdpPassword, ["fumidai-sso"]),
        ["sid"] = new(IdpPassword, ["fumidai-sso"]),
        ["lea"] = new(IdpPassword, ["fumidai-sso"]),
        ["una"] = new(IdpPassword, ["fumidai-sso"]),
        ["pia"] = new(IdpPassword, ["fumidai-sso"]),
        ["gus"] = new(IdpPassword, ["fumidai-sso"]),
        ["rosa"] = new(IdpPassword, ["fumidai-auditors"]),
    };

    /// <summary>How long an SSH login's approval code lives here: short enough to wait out, long enough for chromium under load.</summary>
    public static readonly TimeSpan ApprovalLifetime = TimeSpan.FromSeconds(40);

    public OidcProvider Idp { get; }

    public BastionHarness Bastion { get; }

    public int WebPort { get; }

    public Uri BaseUri => new($"https://127.0.0.1:{WebPort}/");

    public Dictionary<string, Operator> Users { get; } = new(StringComparer.Ordinal);

    private X509Certificate2 _certificate = null!;

    public async Task InitializeAsync()
    {
        await Bastion.InitializeAsync();
        _certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Bastion.DataPath, WebCertificate.CertificateFile));
        if (!await Bastion.Bastion.WaitForLogAsync($"console listening on https://127.0.0.1:{WebPort}/", TimeSpan.FromSeconds(60)))
            throw new InvalidOperationException("the console did not start:\n" + Bastion.Bastion.Log);
        foreach (var (name, role) in new[] { ("glass", "admin"), ("localadm", "admin") })
            Users[name] = await Bastion.AddOperatorAsync(name, role, Password);
        // Operators whose SSH logins are approved in the browser; neither has a console role.
        // Login certificates for a working day: one approval, then the certificate alone.
        await Bastion.MustAsync("role", "add", "ssoops", "--targets", "web*", "--logins", "root", "--auth", "sso", "--mfa-ttl", "8h");
        foreach (string name in new[] { "sam", "sid", "lea", "una", "pia", "gus" }) Users[name] = await Bastion.AddOperatorAsync(name, "ssoops");
    }

    /// <summary>How long a test waits for a prompt, a page or an exit.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>Connects with OpenSSH as <paramref name="user"/>; returns the client waiting at the approval prompt and its code.</summary>
    public async Task<(ApprovalTerminal Terminal, string Code)> ConnectForApprovalAsync(string user, string loginName, string? command = null)
    {
        var terminal = ApprovalTerminal.Start(Bastion, Users[user], loginName, command);
        string prompt = await terminal.WaitForPromptAsync(1, Wait);
        // OpenSSH puts "(LOGIN@HOST) " before a keyboard-interactive prompt.
        Assert.StartsWith($"({loginName}@127.0.0.1) Open {BaseUri}approve and enter ", prompt);
        Assert.EndsWith(", then press Enter ", prompt);
        return (terminal, ApprovalTerminal.CodeIn(prompt));
    }

    /// <summary>Signs in at <c>/approve</c> through the IdP as <paramref name="user"/> and enters the code; waits for the details or a refusal.</summary>
    public static async Task EnterCodeAsync(IPage page, string user, string code)
    {
        await page.GotoAsync("/approve");
        await page.ClickAsync("#approve-signin");
        await page.WaitForSelectorAsync("#idp-user");
        await page.FillAsync("#idp-user", user);
        await page.FillAsync("#idp-password", IdpPassword);
        await page.ClickAsync("#idp-submit");
        await page.WaitForSelectorAsync("#approve-code");
        Assert.Equal(user, await page.InnerTextAsync("#approver"));
        await SubmitCodeAsync(page, code);
    }

    public static async Task SubmitCodeAsync(IPage page, string code)
    {
        await page.FillAsync("#approve-code", code);
        await page.ClickAsync("#approve-lookup");
        await page.WaitForSelectorAsync("#approval, #error");
    }

    /// <summary>
    /// <c>fumidai user sync ARGS</c> as its own process with the bastion's settings (the IdP's are in its environment), some
    /// replaced by <paramref name="overrides"/>.
    /// </summary>
    public async Task<BastionHarness.CliResult> UserSyncAsync(IReadOnlyDictionary<string, string>? overrides, params string[] args)
    {
        var environment = new Dictionary<string, string>(Bastion.BastionEnvironment);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>()) environment[key] = value;
        var run = await ProcessRunner.RunAsync("dotnet", [BastionProcess.FumidaiDll, "user", "sync", .. args, "--data", Bastion.DataPath],
            BastionHarness.ProcessTimeout, null, environment: environment);
        return new BastionHarness.CliResult(run.ExitCode, run.Output, run.StandardError);
    }

    /// <summary>The console's and the IdP's public keys, pinned by the browser.</summary>
    public IReadOnlyList<string> SpkiPins() =>
        [Convert.ToBase64String(SHA256.HashData(_certificate.PublicKey.ExportSubjectPublicKeyInfo())), Idp.SpkiPin];

    /// <summary>From the console's sign-in page through the IdP's form; returns where the browser ends up.</summary>
    public static async Task SignInThroughIdpAsync(IPage page, string user, string password = IdpPassword)
    {
        await page.GotoAsync("/signin");
        await page.ClickAsync("#signin-oidc");
        await page.WaitForSelectorAsync("#idp-user");
        await page.FillAsync("#idp-user", user);
        await page.FillAsync("#idp-password", password);
        await page.ClickAsync("#idp-submit");
    }

    /// <summary>Waits for the console's sessions page after an IdP sign-in; a refusal fails with the audited reasons.</summary>
    public async Task WaitForSessionsAsync(IPage page)
    {
        await page.WaitForSelectorAsync("#error, #sessions");
        if (await page.QuerySelectorAsync("#error") is { } error)
        {
            var reasons = (await Bastion.AuditAsync()).Where(e => e.Type == "login.failure").Select(e => e.ToString());
            throw new Xunit.Sdk.XunitException($"refused: {await error.InnerTextAsync()}\n{string.Join('\n', reasons)}\n{Bastion.Bastion.Log}");
        }
        await page.WaitForURLAsync("**/sessions");
    }

    public async Task DisposeAsync()
    {
        await Bastion.DisposeAsync();
        Idp.Dispose();
        _secrets.Dispose();
        _certificate?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class OidcCollection : ICollectionFixture<OidcHarness>
{
    public const string Name = "oidc";
}
