using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Transport;
using Fumidai.Ssh.Wire;
using Microsoft.Diagnostics.NETCore.Client;

// Memory per idle authenticated connection (goal: <= 64 KiB with 1,000 open).
//
//   Fumidai.IdleConnections --pid PID --port N --key ID_ED25519 [--user U] [--count 1000] [--warmup 20]
//                           [--parallel 16] [--session] [--settle 5] [--hold SECONDS]
//
// Connects to a running test host (PID, port) with Fumidai.Ssh's client transport, authenticates each connection
// with the given unencrypted OpenSSH private key (publickey, signed request, done by hand), optionally opens one
// session channel on each, and leaves them idle. The server's VmRSS is read from /proc/PID/status after a warm-up
// (connections opened and closed, so JIT and pools are already paid) and after COUNT connections are open, each time
// after an induced full GC in the server (an EventPipe session with the GCHeapCollect keyword, as dotnet-gcdump
// does) and a settle period. Prints KiB per connection. --hold keeps the connections open that long after the
// measurement, for inspection with other tools. Run it through bench/idle-connections.sh.
int? pid = null;
int port = 0;
string? keyPath = null;
string user = "bench";
int count = 1000, warmup = 20, parallel = 16;
double settleSeconds = 5, holdSeconds = 0;
bool openSession = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--pid": pid = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--port": port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--key": keyPath = args[++i]; break;
        case "--user": user = args[++i]; break;
        case "--count": count = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--parallel": parallel = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--settle": settleSeconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--session": openSession = true; break;
        case "--hold": holdSeconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}");
            return 2;
    }
}
if (pid is null || port == 0 || keyPath is null)
{
    Console.Error.WriteLine("usage: --pid PID --port N --key FILE [--count N] [--warmup N] [--parallel N] [--session] [--settle S]");
    return 2;
}

using var key = SshPrivateKey.Load(keyPath);
var endPoint = new IPEndPoint(IPAddress.Loopback, port);
var serverPid = pid.Value;

Console.WriteLine($"# {count} idle connections{(openSession ? " with one session channel each" : "")}, server pid {serverPid}, " +
    $"{Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

// Warm-up: pay JIT, tiering, thread pool growth and pool first-use before the baseline.
var warm = await OpenManyAsync(warmup);
await CloseAllAsync(warm);
long baseline = await SettledRssAsync("baseline (after warm-up)");

// Open the connections in two halves and measure after each: the figure per connection over the whole count is the
// goal's definition; the slope between the halves leaves out one-off growth (thread pool threads started during the
// burst of handshakes, GC regions, allocator arenas) and is the better estimate for larger counts.
int half = count / 2;
var stopwatch = Stopwatch.StartNew();
var open = await OpenManyAsync(half);
long halfway = half > 0 ? await SettledRssAsync($"{half} open") : baseline;
open.AddRange(await OpenManyAsync(count - half));
Console.WriteLine($"opened {open.Count} connections in {stopwatch.Elapsed.TotalSeconds:F1} s (with measuring)");
await Task.Delay(TimeSpan.FromSeconds(settleSeconds));
long noGc = ReadRssKiB();
Console.WriteLine($"rss {count} open, before the induced GC: {noGc} KiB ({(noGc - baseline) / (double)count:F1} KiB per connection)");
long loaded = await SettledRssAsync($"{count} open");
int lost = open.Count(c => c.Loop.IsCompleted);
Console.WriteLine($"connections lost while idle: {lost}");
double perConnection = (loaded - baseline) / (double)count;
double marginal = (loaded - halfway) / (double)(count - half);
Console.WriteLine($"RESULT {perConnection:F1} KiB per idle authenticated connection (baseline {baseline} KiB, {count} open {loaded} KiB); " +
    $"marginal {marginal:F1} KiB per connection from {half} to {count}");
if (holdSeconds > 0)
{
    Console.WriteLine($"holding the connections open for {holdSeconds} s");
    await Task.Delay(TimeSpan.FromSeconds(holdSeconds));
}
await CloseAllAsync(open);
return lost == 0 ? 0 : 1;

async Task<List<Client>> OpenManyAsync(int n)
{
    var clients = new Client[n];
    using var gate = new SemaphoreSlim(parallel);
    var tasks = Enumerable.Range(0, n).Select(async i =>
    {
        await gate.WaitAsync();
        try
        {
            clients[i] = await Client.OpenAsync(endPoint, user, key, openSession);
        }
        finally
        {
            gate.Release();
        }
    }).ToArray();
    await Task.WhenAll(tasks);
    return clients.ToList();
}

static async Task CloseAllAsync(List<Client> clients)
{
    foreach (var client in clients) await client.DisposeAsync();
}

async Task<long> SettledRssAsync(string label)
{
    InduceServerGc(serverPid);
    // Freed GC regions are decommitted gradually: sample until two readings a second apart agree within 1 %.
    long previous = ReadRssKiB();
    for (int i = 0; i < 30; i++)
    {
        await Task.Delay(1000);
        long current = ReadRssKiB();
        if (Math.Abs(current - previous) <= previous / 100) { previous = current; break; }
        previous = current;
    }
    Console.WriteLine($"rss {label}: {previous} KiB, {ReadStatus("Threads:")} threads");
    return previous;
}

long ReadRssKiB() => ReadStatus("VmRSS:");

long ReadStatus(string field)
{
    foreach (var line in File.ReadLines($"/proc/{serverPid}/status"))
    {
        if (line.StartsWith(field, StringComparison.Ordinal))
            return long.Parse(line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
    throw new InvalidOperationException($"no {field} in /proc/{serverPid}/status");
}

static void InduceServerGc(int pid)
{
    // Microsoft-Windows-DotNETRuntime with GC (0x1) | GCHeapCollect (0x800000) makes the runtime run a blocking gen 2
    // collection when the session starts (the mechanism dotnet-gcdump uses). The events are not parsed: the stream is
    // drained for a moment, and the caller then waits for RSS to settle.
    const long keywords = 0x1 | 0x800000;
    var client = new DiagnosticsClient(pid);
    using var session = client.StartEventPipeSession(
        [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, keywords)], requestRundown: false, circularBufferMB: 16);
    var drain = Task.Run(() => session.EventStream.CopyTo(Stream.Null));
    Thread.Sleep(1500);
    session.Stop();
    drain.Wait(TimeSpan.FromSeconds(5));
}

/// <summary>One authenticated client connection, idling in its connection loop.</summary>
sealed class Client : IAsyncDisposable
{
    private readonly SshConnection _connection;

    private Client(SshConnection connection, Task loop)
    {
        _connection = connection;
        Loop = loop;
    }

    public Task Loop { get; }

    public static async Task<Client> OpenAsync(IPEndPoint endPoint, string user, SshPrivateKey key, bool openSession)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        var stream = new NetworkStream(socket, ownsSocket: true);
        var transport = await SshTransport.ConnectAsync(stream, (_, _) => ValueTask.CompletedTask, null, null, CancellationToken.None);
        await AuthenticateAsync(transport, user, key);
        var connection = new SshConnection(transport, null);
        var loop = Task.Run(async () =>
        {
            try
            {
                await connection.RunAsync(CancellationToken.None);
            }
            catch (Exception)
            {
                // Reported as a lost connection.
            }
        });
        if (openSession) await connection.OpenChannelAsync(new ChannelOpenRequest("session"), CancellationToken.None);
        return new Client(connection, loop);
    }

    private static async Task AuthenticateAsync(SshTransport transport, string user, SshPrivateKey key)
    {
        using (var request = SshWriter.ForPacket(MessageNumber.ServiceRequest, 32))
        {
            request.WriteString("ssh-userauth");
            await transport.SendAsync(request, CancellationToken.None);
        }
        var accept = await transport.ReceiveAsync(CancellationToken.None);
        if (accept.Message != MessageNumber.ServiceAccept) throw new InvalidOperationException($"expected SERVICE_ACCEPT, got {accept.Message}");

        string algorithm = key.SignatureAlgorithms[0];
        var blob = key.PublicKey.Blob.Span;
        // RFC 4252 §7: the signature covers the session id and the request up to the signature.
        using var signed = new SshWriter(512);
        signed.WriteBinary(transport.SessionId.Span);
        signed.WriteByte((byte)MessageNumber.UserAuthRequest);
        WriteRequestBody(signed, user, algorithm, blob);
        var signature = key.Sign(algorithm, signed.WrittenSpan);
        using (var request = SshWriter.ForPacket(MessageNumber.UserAuthRequest, 512))
        {
            WriteRequestBody(request, user, algorithm, blob);
            request.WriteBinary(signature);
            await transport.SendAsync(request, CancellationToken.None);
        }
        while (true)
        {
            var reply = await transport.ReceiveAsync(CancellationToken.None);
            switch (reply.Message)
            {
                case MessageNumber.UserAuthSuccess:
                    return;
                case MessageNumber.UserAuthBanner:
                    continue;
                default:
                    throw new InvalidOperationException($"authentication failed: message {reply.Message}");
            }
        }
    }

    private static void WriteRequestBody(SshWriter writer, string user, string algorithm, ReadOnlySpan<byte> blob)
    {
        writer.WriteString(user);
        writer.WriteString("ssh-connection");
        writer.WriteString("publickey");
        writer.WriteBoolean(true);
        writer.WriteString(algorithm);
        writer.WriteBinary(blob);
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.Transport.DisconnectAsync(Fumidai.Ssh.DisconnectReason.ByApplication, "bench done");
        await _connection.DisposeAsync();
        try
        {
            await Loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }
    }
}
