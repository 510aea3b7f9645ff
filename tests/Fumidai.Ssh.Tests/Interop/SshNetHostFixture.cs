using Fumidai.Ssh.TestHost;
using Fumidai.Ssh.Transport;

namespace Fumidai.Ssh.Tests.Interop;

/// <summary>A test host with the DEFAULT transport settings, and ed25519 and RSA user keys made by ssh-keygen, for SSH.NET.</summary>
public sealed class SshNetHostFixture : IAsyncLifetime
{
    public const string Password = "ssh.net password 5678";

    public TempDirectory Directory { get; } = new("fumidai-sshnet");

    public TestSshServer Server { get; private set; } = null!;

    public string Ed25519Key { get; private set; } = "";

    public string RsaKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Ed25519Key = await UserKeys.CreateAsync(Directory, "ed25519");
        RsaKey = await UserKeys.CreateAsync(Directory, "rsa", 3072);
        Server = TestSshServer.Start(new TestHostOptions
        {
            HostKeyDirectory = Directory.Combine("hostkeys"),
            AuthorizedKeys = [File.ReadAllText(Ed25519Key + ".pub").Trim(), File.ReadAllText(RsaKey + ".pub").Trim()],
            Password = Password,
            // What the bastion ships with: SSH.NET must get along with the strong subset alone.
            Transport = new SshTransportSettings(),
        });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Dispose();
    }
}
