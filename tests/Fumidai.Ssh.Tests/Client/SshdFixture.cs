using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Tests.Client;

/// <summary>One private sshd per test class: ssh-keygen-made user keys authorized, a user CA trusted, RekeyLimit 16M.</summary>
public sealed class SshdFixture : IAsyncLifetime
{
    public TempDirectory Keys { get; } = new("fumidai-client-keys");

    public PrivateSshd Sshd { get; private set; } = null!;

    public SshPrivateKey Ed25519Key { get; private set; } = null!;

    public SshPrivateKey RsaKey { get; private set; } = null!;

    /// <summary>A key sshd does not know.</summary>
    public SshPrivateKey StrangerKey { get; } = SshPrivateKey.Generate(SshKeyTypes.Ed25519);

    /// <summary>The user CA named in TrustedUserCAKeys.</summary>
    public SshPrivateKey UserCa { get; } = SshPrivateKey.Generate(SshKeyTypes.Ed25519);

    public async Task InitializeAsync()
    {
        Ed25519Key = SshPrivateKey.Load(await UserKeys.CreateAsync(Keys, "ed25519"));
        RsaKey = SshPrivateKey.Load(await UserKeys.CreateAsync(Keys, "rsa", 3072));
        Sshd = await PrivateSshd.StartAsync([Ed25519Key.PublicKey.ToString(), RsaKey.PublicKey.ToString()], [UserCa.PublicKey],
            ["RekeyLimit 16M"]);
    }

    public KnownHosts KnownHosts => KnownHosts.Parse(Sshd.KnownHostsText);

    public SshClientOptions Options(ClientCredentials credentials, KnownHosts? knownHosts = null) => new()
    {
        Host = PrivateSshd.Host,
        Port = Sshd.Port,
        Credentials = credentials,
        KnownHosts = knownHosts ?? KnownHosts,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        LoginTimeout = TimeSpan.FromSeconds(30),
    };

    public SshClientOptions Options(params SshPrivateKey[] keys) => Options(new ClientCredentials(PrivateSshd.User) { Keys = keys });

    public Task<SshClient> ConnectAsync(params SshPrivateKey[] keys) => SshClient.ConnectAsync(Options(keys));

    public async Task DisposeAsync()
    {
        await Sshd.DisposeAsync();
        Keys.Dispose();
    }
}
