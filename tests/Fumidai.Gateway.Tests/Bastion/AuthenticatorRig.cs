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

    private AuthenticatorRig(TempDirectory directory, MetadataStore store, SecretProtector secrets, FakeTimeProvider clock)
    {
        Directory = directory;
        Store = store;
        Secrets = secrets;
        Clock = clock;
        Audit = new AuditLog(store);
        Authenticator = new BastionAuthenticator(store, secrets, Audit, new SourceThrottle(1000, TimeSpan.FromMinutes(5)), 10,
            TimeSpan.FromMinutes(30), NullLogger.Instance, clock);
    }

    public TempDirectory Directory { get; }

    public MetadataStore Store { get; }

    public SecretProtector Secrets { get; }

    public AuditLog Audit { get; }

    /// <summary>Starts at the real time: codes from oathtool are for the real clock.</summary>
    public FakeTimeProvider Clock { get; }

    public BastionAuthenticator Authenticator { get; }

    public static async Task<AuthenticatorRig> CreateAsync()
    {
        var directory = new TempDirectory("fumidai-auth");
        var store = await MetadataStore.OpenAsync(directory.Combine("fumidai.db"));
        return new AuthenticatorRig(directory, store, new SecretProtector(RandomNumberGenerator.GetBytes(32)),
            new FakeTimeProvider(DateTimeOffset.UtcNow));
    }

    /// <summary>A user with an ed25519 key, a TOTP secret (returned in base32 for oathtool) and optionally a password.</summary>
    public async Task<(SshPublicKey Key, string Secret)> AddUserAsync(string name, bool withPassword)
    {
        var secret = RandomNumberGenerator.GetBytes(20);
        var record = new UserRecord(name, ["ops"], false, Secrets.Protect(secret, "totp:" + name), withPassword ? PasswordHasher.Hash(Password) : null,
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

        public ValueTask<string[]> PromptAsync(string name, string instruction, IReadOnlyList<KeyboardInteractivePrompt> prompts,
            CancellationToken cancellationToken)
        {
            Instructions.Add(instruction);
            return ValueTask.FromResult(prompts.Select(_ => answer).ToArray());
        }
    }
}
