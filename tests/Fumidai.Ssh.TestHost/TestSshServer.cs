using System.Net;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Server;
using Microsoft.Extensions.Logging;

namespace Fumidai.Ssh.TestHost;

/// <summary>Starts the test host in-process on 127.0.0.1 (port 0 = any free port).</summary>
public sealed class TestSshServer : IAsyncDisposable
{
    private readonly SshServer _server;

    private TestSshServer(SshServer server, TestHostApplication application, IReadOnlyList<SshPrivateKey> hostKeys)
    {
        _server = server;
        Application = application;
        HostKeys = hostKeys;
    }

    public TestHostApplication Application { get; }

    public IReadOnlyList<SshPrivateKey> HostKeys { get; }

    public int Port => _server.LocalEndPoint!.Port;

    public int ConnectionCount => _server.ConnectionCount;

    public static TestSshServer Start(TestHostOptions options, ILogger? logger = null)
    {
        var hostKeys = LoadOrCreateHostKeys(options.HostKeyDirectory);
        if (options.HostCertificateAuthority is { } ca)
        {
            var builder = new SshCertificateBuilder(hostKeys[0].PublicKey, SshCertificateType.Host, "fumidai-test-host")
            {
                ValidAfter = DateTimeOffset.UtcNow.AddMinutes(-1),
                ValidBefore = DateTimeOffset.UtcNow.AddHours(1),
            };
            builder.ValidPrincipals.AddRange(options.HostCertificatePrincipals);
            hostKeys = [new SshCertifiedPrivateKey(hostKeys[0], builder.Sign(ca)), .. hostKeys];
        }
        var application = new TestHostApplication(options);
        var server = new SshServer(new SshServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, options.Port),
            HostKeys = hostKeys,
            Transport = options.Transport,
            Authentication = options.Banner is null
                ? options.Authentication
                : new Authentication.ServerAuthenticationSettings
                {
                    Banner = options.Banner,
                    TrustedUserCaKeys = options.Authentication.TrustedUserCaKeys,
                    FailureDelay = options.Authentication.FailureDelay,
                },
            Limits = options.Limits,
        }, application, logger);
        server.Start();
        return new TestSshServer(server, application, hostKeys);
    }

    /// <summary>ed25519, RSA 3072 and ECDSA P-256 host keys in OpenSSH format, generated on first use.</summary>
    public static IReadOnlyList<SshPrivateKey> LoadOrCreateHostKeys(string directory)
    {
        Directory.CreateDirectory(directory);
        var keys = new List<SshPrivateKey>();
        foreach (var (file, type, bits) in new[] { ("host_ed25519", "ssh-ed25519", (int?)null), ("host_rsa", "ssh-rsa", 3072), ("host_ecdsa", "ecdsa-sha2-nistp256", null) })
        {
            string path = Path.Combine(directory, file);
            if (!File.Exists(path))
            {
                using var generated = SshPrivateKey.Generate(type, bits);
                File.WriteAllText(path, OpenSshPrivateKeyFile.Format(generated, "fumidai-test-host"));
                File.WriteAllText(path + ".pub", generated.PublicKey + " fumidai-test-host\n");
            }
            keys.Add(SshPrivateKey.Load(path));
        }
        return keys;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
