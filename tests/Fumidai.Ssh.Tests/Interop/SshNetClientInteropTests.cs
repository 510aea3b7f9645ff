using Fumidai.Ssh.Kex;
using Fumidai.Ssh.Framing;
using Fumidai.Ssh.TestHost;
using Renci.SshNet;
using Xunit.Abstractions;

namespace Fumidai.Ssh.Tests.Interop;

/// <summary>SSH.NET (NuGet), a second independent client, against the default server configuration.</summary>
public sealed class SshNetClientInteropTests : IClassFixture<SshNetHostFixture>
{
    private readonly SshNetHostFixture _host;
    private readonly ITestOutputHelper _output;

    public SshNetClientInteropTests(SshNetHostFixture host, ITestOutputHelper output)
    {
        _host = host;
        _output = output;
    }

    private SshClient Client(params AuthenticationMethod[] methods)
    {
        var info = new ConnectionInfo("127.0.0.1", _host.Server.Port, methods[0].Username, methods) { Timeout = TimeSpan.FromSeconds(15) };
        var client = new SshClient(info);
        var hostKeys = _host.Server.HostKeys.Select(k => k.PublicKey.Blob.ToArray()).ToList();
        client.HostKeyReceived += (_, e) => e.CanTrust = hostKeys.Any(k => k.AsSpan().SequenceEqual(e.HostKey));
        return client;
    }

    /// <summary>Runs commands that check stdout, stderr and the exit status, and returns what was negotiated.</summary>
    private static string ExecChecks(SshClient client)
    {
        client.Connect();
        try
        {
            // Latin-1 maps each byte to one char, so the binary pattern survives SSH.NET's text Result.
            using (var write = client.CreateCommand("write 5000", System.Text.Encoding.Latin1))
            {
                string output = write.Execute();
                Assert.Equal(0, write.ExitStatus);
                var expected = new byte[5000];
                ExecHandlers.FillPattern(expected, 0);
                Assert.Equal(expected, System.Text.Encoding.Latin1.GetBytes(output));
            }

            var exit = client.RunCommand("exit 42");
            Assert.Equal(42, exit.ExitStatus);

            var stderr = client.RunCommand("stderr from ssh.net");
            Assert.Equal(0, stderr.ExitStatus);
            Assert.Equal("from ssh.net\n", stderr.Error);
            Assert.Equal("", stderr.Result);

            var info = client.ConnectionInfo;
            // Whatever SSH.NET picks must come from our default offer.
            Assert.Contains(info.CurrentKeyExchangeAlgorithm, KeyExchangeMethods.DefaultNames);
            Assert.Contains(info.CurrentServerEncryption, CipherAlgorithms.DefaultNames);
            Assert.Contains(info.CurrentClientEncryption, CipherAlgorithms.DefaultNames);
            return $"kex {info.CurrentKeyExchangeAlgorithm}, host key {info.CurrentHostKeyAlgorithm}, " +
                $"cipher c2s {info.CurrentClientEncryption} s2c {info.CurrentServerEncryption}, " +
                $"MAC c2s {info.CurrentClientHmacAlgorithm ?? "(implicit)"} s2c {info.CurrentServerHmacAlgorithm ?? "(implicit)"}";
        }
        finally
        {
            client.Disconnect();
        }
    }

    [Fact]
    public void Exec_with_an_ed25519_key()
    {
        using var client = Client(new PrivateKeyAuthenticationMethod("alice", new PrivateKeyFile(_host.Ed25519Key)));
        _output.WriteLine("ed25519 key: " + ExecChecks(client));
    }

    [Fact]
    public void Exec_with_an_rsa_key()
    {
        // SSH.NET signs with rsa-sha2-512/256 once it saw our server-sig-algs; ssh-rsa would be refused.
        using var client = Client(new PrivateKeyAuthenticationMethod("alice", new PrivateKeyFile(_host.RsaKey)));
        _output.WriteLine("RSA key: " + ExecChecks(client));
    }

    [Fact]
    public void Exec_with_a_password()
    {
        using var client = Client(new PasswordAuthenticationMethod("bob", SshNetHostFixture.Password));
        _output.WriteLine("password: " + ExecChecks(client));
    }

    [Fact]
    public void Wrong_password_is_refused()
    {
        using var client = Client(new PasswordAuthenticationMethod("bob", "not the password"));
        Assert.Throws<Renci.SshNet.Common.SshAuthenticationException>(client.Connect);
    }
}
