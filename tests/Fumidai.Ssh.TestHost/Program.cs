using Fumidai.Ssh.Framing;
using Fumidai.Ssh.Kex;
using Fumidai.Ssh.TestHost;
using Fumidai.Ssh.Transport;
using Microsoft.Extensions.Logging;

// Test host: `Fumidai.Ssh.TestHost --dir DIR [--port N] [--authorized-keys FILE] [--password PW] [--all-algorithms]
// [--trusted-user-ca FILE]` (the last accepts user certificates from that CA for any login, as sshd's TrustedUserCAKeys).
// Prints "LISTENING <port>" once ready; stops on SIGTERM/SIGINT. For tests and benchmarks only.
string? dir = null, authorizedKeys = null, password = null, trustedUserCa = null;
int port = 0;
bool allAlgorithms = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--dir": dir = args[++i]; break;
        case "--port": port = int.Parse(args[++i]); break;
        case "--authorized-keys": authorizedKeys = args[++i]; break;
        case "--password": password = args[++i]; break;
        case "--all-algorithms": allAlgorithms = true; break;
        case "--trusted-user-ca": trustedUserCa = args[++i]; break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}");
            return 2;
    }
}
if (dir is null)
{
    Console.Error.WriteLine("--dir is required");
    return 2;
}
var transport = allAlgorithms
    ? new SshTransportSettings
    {
        KexAlgorithms = KeyExchangeMethods.AllNames,
        Ciphers = CipherAlgorithms.AllNames,
        Macs = MacAlgorithms.AllNames,
        HostKeyAlgorithms = SshTransportSettings.AllHostKeyAlgorithms,
    }
    : new SshTransportSettings();
using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
var options = new TestHostOptions
{
    HostKeyDirectory = dir,
    Port = port,
    AuthorizedKeys = authorizedKeys is null ? [] : File.ReadAllLines(authorizedKeys).Where(l => l.Trim().Length > 0 && !l.StartsWith('#')).ToArray(),
    Password = password,
    Transport = transport,
    Authentication = new Fumidai.Ssh.Authentication.ServerAuthenticationSettings
    {
        FailureDelay = TimeSpan.FromMilliseconds(20),
        TrustedUserCaKeys = trustedUserCa is null ? [] : [Fumidai.Ssh.Keys.SshPublicKey.ParseOpenSsh(File.ReadAllText(trustedUserCa).Trim())],
    },
};
await using var server = TestSshServer.Start(options, loggerFactory.CreateLogger("testhost"));
Console.WriteLine($"LISTENING {server.Port}");
var stop = new TaskCompletionSource();
using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
await stop.Task;
return 0;
