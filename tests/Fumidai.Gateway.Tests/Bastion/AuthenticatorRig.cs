using System.Net;
using System.Security.Cryptography;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Keys;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OtpNet;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>A <see cref="BastionAuthenticator"/> over a temporary SQLite store, driven attempt by attempt without a socket.</summary>
public sealed class AuthenticatorRig : IAsyncDisposable
{
    public const string Password = "correct horse 42 battery";

    // The authenticator reads the Argon2 cost from the stored hash; the smallest one keeps password tests about logins, not hashing.
    private static readonly Lazy<string> CheapPasswordHash = new(() => PasswordHasher.Hash(Password, memoryKiB: 8, iterations: 1));

    private AuthenticatorRig(TempDirectory directory, MetadataStore store, SecretProtector secrets, FakeTimeProvider clock, SourceThrottle throttle)
    {
        Directory = directory;
        Store = store;
        Secrets = secrets;
        Clock = clock;
        Audit = new AuditLog(store);
        LoginCertificates = new LoginCertificateAuthority(LoginCa, store, store, store, clock);
        Authenticator = new BastionAuthenticator(store, secrets, Audit, throttle, 10,
            TimeSpan.FromMinutes(30), NullLogger.Instance, clock) { LoginCertificates = LoginCertificates, MachineAccounts = store };
    }

    /// <summary>The login CA: the only CA whose certificates the authenticator takes as both factors.</summary>
    public SshPrivateKey LoginCa { get; } = SshPrivateKey.Generate(SshKeyTypes.Ed25519);

    public LoginCertificateAuthority LoginCertificates { get; }

    public TempDirectory Directory { get; }

    public MetadataStore Store { get; }

    public SecretProtector Secrets { get; }

    public AuditLog Audit { get; }

    /// <summary>Starts at the real time: codes from oathtool are for the real clock.</summary>
    public FakeTimeProvider Clock { get; }

    public BastionAuthenticator Authenticator { get; }

    /// <summary>The RFC 6238 time step at the fake clock's time, for <c>Totp.CodeAsync</c>.</summary>
    public long Step => Clock.GetUtcNow().ToUnixTimeSeconds() / Fumidai.Testing.Totp.PeriodSeconds;

    /// <param name="throttle">Per-source throttling; by default one loose enough never to fire.</param>
    public static async Task<AuthenticatorRig> CreateAsync(SourceThrottle? throttle = null)
    {
        var directory = new TempDirectory("fumidai-auth");
        var store = await MetadataStore.OpenAsync(directory.Combine("fumidai.db"));
        return new AuthenticatorRig(directory, store, new SecretProtector(RandomNumberGenerator.GetBytes(32)),
            new FakeTimeProvider(DateTimeOffset.UtcNow), throttle ?? new SourceThrottle(1000, TimeSpan.FromMinutes(5)));
    }

    /// <summary>A user with an ed25519 key, a TOTP secret (returned in base32 for oathtool) and optionally a password.</summary>
    public async Task<(SshPublicKey Key, string Secret)> AddUserAsync(string name, bool withPassword)
    {
        var secret = RandomNumberGenerator.GetBytes(20);
        var record = new UserRecord(name, ["ops"], false, Secrets.Protect(secret, "totp:" + name), withPassword ? CheapPasswordHash.Value : null,
            DateTimeOffset.UtcNow);
        Assert.True(await Store.AddUserAsync(record));
        var key = SshPrivateKey.Generate(SshKeyTypes.Ed25519).PublicKey;
        Assert.True(await Store.AddUserKeyAsync(new UserKeyRecord(name, key.Fingerprint, key.ToOpenSsh(), "")));
        return (key, Base32Encoding.ToString(secret).TrimEnd('='));
    }

    /// <summary>One SSH connection's authentication state, from the given source address.</summary>
    public static AuthenticationContext Connection(string source = "127.0.0.1") =>
        new(new IPEndPoint(IPAddress.Parse(source), 40000), "SSH-2.0-rig");

    public ValueTask<AuthenticationDecision> KeyAsync(AuthenticationContext connection, string user, SshPublicKey key) =>
        Authenticator.AuthenticateAsync(new PublicKeyAttempt(user, key, key.KeyType), connection, CancellationToken.None);

    public ValueTask<AuthenticationDecision> PasswordAsync(AuthenticationContext connection, string user, string password) =>
        Authenticator.AuthenticateAsync(new PasswordAttempt(user, password), connection, CancellationToken.None);

    /// <summary>One keyboard-interactive round answering <paramref name="code"/>; the prompter keeps what the server showed.</summary>
    public async Task<(AuthenticationDecision Decision, ScriptedPrompter Prompter)> CodeAsync(AuthenticationContext connection, string user, string code)
    {
        var prompter = new ScriptedPrompter(code);
        var decision = await Authenticator.AuthenticateAsync(new KeyboardInteractiveAttempt(user, "", prompter), connection, CancellationToken.None);
        return (decision, prompter);
    }

    /// <summary>Key, then the code, on a new connection from <paramref name="source"/>: true when the login succeeded.</summary>
    public async Task<bool> LoginAsync(string user, SshPublicKey key, string code, string source = "127.0.0.1")
    {
        var connection = Connection(source);
        if ((await KeyAsync(connection, user, key)).Outcome != AuthenticationOutcome.PartialSuccess) return false;
        return (await CodeAsync(connection, user, code)).Decision.Outcome == AuthenticationOutcome.Success;
    }

    public async Task<IReadOnlyList<AuditEvent>> AuditEventsAsync() => await Store.ListAuditAsync(null);

    public ValueTask DisposeAsync()
    {
        Directory.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Answers every prompt with one code and records the instructions it was shown.</summary>
    public sealed class ScriptedPrompter(string answer) : IKeyboardInteractivePrompter
    {
        public List<string> Instructions { get; } = [];

        /// <summary>Every prompt shown, in order.</summary>
        public List<KeyboardInteractivePrompt> Prompts { get; } = [];

        public ValueTask<string[]> PromptAsync(string name, string instruction, IReadOnlyList<KeyboardInteractivePrompt> prompts,
            CancellationToken cancellationToken)
        {
            Instructions.Add(instruction);
            Prompts.AddRange(prompts);
            return ValueTask.FromResult(prompts.Select(_ => answer).ToArray());
        }
    }
}
