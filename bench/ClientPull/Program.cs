using System.Diagnostics;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Transport;

// Pulls N bytes of `head -c N /dev/zero` from an sshd with our client and prints one line:
//   bytes total_seconds transfer_seconds MB/s(total) MB/s(transfer) cipher
// Usage: ClientPull HOST PORT USER KEY_FILE KNOWN_HOSTS_FILE BYTES [CIPHER]
if (args.Length < 6)
{
    Console.Error.WriteLine("usage: ClientPull HOST PORT USER KEY_FILE KNOWN_HOSTS_FILE BYTES [CIPHER]");
    return 2;
}
string host = args[0];
int port = int.Parse(args[1]);
long bytes = long.Parse(args[5]);
var transport = args.Length > 6 ? new SshTransportSettings { Ciphers = [args[6]] } : new SshTransportSettings();
var options = new SshClientOptions
{
    Host = host,
    Port = port,
    Credentials = new ClientCredentials(args[2]) { Keys = [SshPrivateKey.Load(args[3])] },
    KnownHosts = KnownHosts.Parse(File.ReadAllText(args[4])),
    Transport = transport,
    KeepaliveInterval = TimeSpan.Zero,
};

var total = Stopwatch.StartNew();
await using var client = await SshClient.ConnectAsync(options);
await using var session = await client.OpenSessionAsync();
var transfer = Stopwatch.StartNew();
await session.ExecAsync($"head -c {bytes} /dev/zero");
var buffer = new byte[256 * 1024];
long received = 0;
int read;
while ((read = await session.ReadAsync(buffer)) > 0) received += read;
var exit = await session.Exit;
transfer.Stop();
total.Stop();
if (received != bytes || exit.ExitStatus != 0)
{
    Console.Error.WriteLine($"expected {bytes} bytes and status 0, got {received} and {exit}");
    return 1;
}
double mb = bytes / 1e6;
Console.WriteLine($"{bytes} {total.Elapsed.TotalSeconds:F3} {transfer.Elapsed.TotalSeconds:F3} {mb / total.Elapsed.TotalSeconds:F1} {mb / transfer.Elapsed.TotalSeconds:F1} {client.Transport.Algorithms!.CipherServerToClient}");
return 0;
