using Fumidai.Ssh.Framing;
using Fumidai.Ssh.Kex;
using Fumidai.Ssh.TestHost;
using Fumidai.Ssh.Transport;

namespace Fumidai.Ssh.Tests.Infrastructure;

/// <summary>One test host per test class, with every algorithm enabled and ssh-keygen-made user keys authorized.</summary>
public sealed class TestHostFixture : IAsyncLifetime
{
    public const string Password = "correct horse battery 42";
    public const string KeyboardInteractiveAnswer = "123456";

    public TempDirectory Directory { get; } = new("fumidai-interop");

    public TestSshServer Server { get; private set; } = null!;

    public OpenSshClient Ssh { get; private set; } = null!;

    public string Ed25519Key { get; private set; } = "";

    public string EcdsaKey { get; private set; } = "";

    public string RsaKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Ed25519Key = await UserKeys.CreateAsync(Directory, "ed25519");
        EcdsaKey = await UserKeys.CreateAsync(Directory, "ecdsa");
        RsaKey = await UserKeys.CreateAsync(Directory, "rsa", 3072);
        var authorized = new[] { Ed25519Key, EcdsaKey, RsaKey }.Select(k => File.ReadAllText(k + ".pub").Trim()).ToArray();
        Server = TestSshServer.Start(new TestHostOptions
        {
            HostKeyDirectory = Directory.Combine("hostkeys"),
            AuthorizedKeys = authorized,
            Password = Password,
            KeyboardInteractiveAnswer = KeyboardInteractiveAnswer,
            Transport = AllAlgorithms,
        });
        Ssh = new OpenSshClient(Directory, Server.Port, Server.HostKeys.Select(k => k.PublicKey));
    }

    public static SshTransportSettings AllAlgorithms { get; } = new()
    {
        KexAlgorithms = KeyExchangeMethods.AllNames,
        Ciphers = CipherAlgorithms.AllNames,
        Macs = MacAlgorithms.AllNames,
        HostKeyAlgorithms = SshTransportSettings.AllHostKeyAlgorithms,
    };

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Dispose();
    }
}
