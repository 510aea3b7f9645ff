using System.Diagnostics;
using System.Security.Cryptography;
using Fumidai.Cli.Totp;
using Fumidai.Gateway;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Tests.EndToEnd;
using Fumidai.Ssh.Keys;
using Xunit.Abstractions;

namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>
/// 200 sessions open at once through haproxy on both nodes, each a Debian <c>ssh … cat</c> carrying its own random bytes
/// through the bastion to a real sshd and back, compared byte for byte; then <c>fumidai verify --all</c> on each node.
/// </summary>
public sealed class ConcurrentSessionsEndToEndTests(ProxiedCluster cluster, ITestOutputHelper output) : IClassFixture<ProxiedCluster>
{
    private const int Sessions = 200;
    private const int Opening = 16;
    private const int Half = 16 * 1024;
    // A bound, not an expectation: on a quiet machine the 200 open in well under a minute; on a shared one under heavy load
    // (load average 30 and more on 2 cores) each login can take seconds.
    private static readonly TimeSpan Whole = TimeSpan.FromMinutes(5);

    private BastionHarness H => cluster.Nodes.Harness;

    [Fact]
    public async Task Two_hundred_concurrent_sessions_across_both_nodes_are_each_byte_exact_and_verify()
    {
        await cluster.Nodes.StartNodeAsync("node-b");
        var users = await AddUsersAsync(Sessions);
        using var deadline = new CancellationTokenSource(Whole);
        var clock = Stopwatch.StartNew();
        var clients = new List<CatClient>();
        try
        {
            // Opened a few at a time (as a login storm would come, and within the target sshd's MaxStartups); all stay open.
            using var opening = new SemaphoreSlim(Opening);
            var opened = users.Select(async (user, i) =>
            {
                await opening.WaitAsync(deadline.Token);
                try
                {
                    var client = await CatClient.StartAsync(H, user.Name, user.KeyFile, user.Secret, i, cluster.Haproxy.Port);
                    lock (clients) clients.Add(client);
                    await client.RoundTripAsync(0, deadline.Token);
                }
                finally
                {
                    opening.Release();
                }
            }).ToList();
            try
            {
                await Task.WhenAll(opened);
            }
            catch (Exception ex)
            {
                List<CatClient> stuck;
                lock (clients) stuck = clients.Where(c => !c.Opened).ToList();
                throw new Xunit.Sdk.XunitException($"{clients.Count - stuck.Count} of {Sessions} opened in {clock.Elapsed} ({ex.Message}); "
                    + $"first not opened: {stuck.FirstOrDefault()?.Error}\nnode A:\n{Tail(H.Bastion.Log)}");
            }
            var openedAfter = clock.Elapsed;

            var running = (await H.SessionsAsync()).Where(s => s.GetProperty("status").GetString() == "running").ToList();
            Assert.Equal(Sessions, running.Count);
            var perNode = running.GroupBy(s => s.GetProperty("node").GetString()).ToDictionary(g => g.Key!, g => g.Count());
            Assert.True(perNode.Count == 2 && perNode.Values.All(c => c >= Sessions / 4), string.Join(", ", perNode));

            await Task.WhenAll(clients.Select(c => c.FinishAsync(deadline.Token)));
            output.WriteLine($"{Sessions} sessions opened in {openedAfter}, all finished in {clock.Elapsed}");
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }

        await using (var store = await MetadataStore.OpenPostgresAsync(cluster.Nodes.ConnectionString))
        {
            var until = Stopwatch.StartNew();
            while ((await store.ListRunningSessionsAsync()).Count > 0 && until.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(500);
            var rows = (await store.ListSessionsAsync(null, null, null)).Where(r => r.User.StartsWith("many", StringComparison.Ordinal)).ToList();
            Assert.Equal(Sessions, rows.Count);
            Assert.All(rows, r => Assert.True(r.Status == "closed" && r.BytesIn == 2 * Half && r.BytesOut == 2 * Half,
                $"{r.User}: {r.Status} {r.EndReason} in {r.BytesIn} out {r.BytesOut}"));
        }
        foreach (string node in new[] { "node-a", "node-b" })
        {
            var verify = await ProcessRunner.RunAsync("dotnet", [BastionProcess.FumidaiDll, "verify", "--all", "--data", cluster.Nodes.DataPathOf(node)],
                TimeSpan.FromSeconds(120), environment: new Dictionary<string, string>(H.BastionEnvironment));
            Assert.True(verify.ExitCode == 0, $"verify --all on {node}: exit {verify.ExitCode}\n{verify.Output}\n{verify.StandardError}");
        }
    }

    private static string Tail(string log) => log.Length <= 6000 ? log : log[^6000..];

    /// <summary>Users straight into the shared store (200 <c>fumidai user add</c> processes would take minutes), one key each.</summary>
    private async Task<List<(string Name, string KeyFile, string Secret)>> AddUsersAsync(int count)
    {
        string keyFile = H.Directory.Combine("key_many");
        var keygen = await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "many", "-f", keyFile], BastionHarness.ProcessTimeout);
        Assert.True(keygen.ExitCode == 0, keygen.StandardError);
        var key = SshPublicKey.ParseOpenSsh(File.ReadAllText(keyFile + ".pub").Trim());
        var protector = new DataDirectory(H.DataPath).LoadProtector();
        var users = new List<(string, string, string)>();
        await using var store = await MetadataStore.OpenPostgresAsync(cluster.Nodes.ConnectionString);
        for (int i = 0; i < count; i++)
        {
            string name = $"many{i:D3}";
            var enrolment = TotpEnrolment.Create(name, protector);
            await store.AddUserAsync(new UserRecord(name, ["ops"], false, enrolment.EncryptedSecret, null, DateTimeOffset.UtcNow));
            await store.AddUserKeyAsync(new UserKeyRecord(name, key.Fingerprint, key.ToString(), "many"));
            string query = enrolment.Uri[(enrolment.Uri.IndexOf('?') + 1)..];
            users.Add((name, keyFile, query.Split('&').Select(p => p.Split('=', 2)).Single(p => p[0] == "secret")[1]));
        }
        return users;
    }

    /// <summary>One <c>ssh USER:web01@haproxy cat</c> from its own loopback address, fed and read as raw bytes.</summary>
    private sealed class CatClient : IDisposable
    {
        private readonly Process _process;
        private readonly byte[] _data;
        private readonly Task _stderr;
        private readonly System.Text.StringBuilder _error = new();

        private CatClient(Process process, byte[] data)
        {
            _process = process;
            _data = data;
            _stderr = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync() is { } line)
                {
                    lock (_error) _error.AppendLine(line);
                }
            });
        }

        public static async Task<CatClient> StartAsync(BastionHarness h, string user, string keyFile, string secret, int index, int port)
        {
            var info = new ProcessStartInfo("ssh")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // Keepalives, so haproxy's idle timeout does not cut the first sessions while the last ones open. A source address
            // of its own, so the audit and per-source counters see 200 operators, as haproxy tells the nodes.
            string source = $"127.0.{1 + index / 250}.{1 + index % 250}";
            foreach (string argument in h.ClientOptions($"{user}:web01", keyFile, port: port).Concat(["-b", source, "-o", "ServerAliveInterval=20", "127.0.0.1", "cat"]))
                info.ArgumentList.Add(argument);
            foreach (var (key, value) in h.Askpass(await Totp.CodeAsync(secret, Totp.CurrentStep()), null).Environment) info.Environment[key] = value;
            var process = Process.Start(info) ?? throw new InvalidOperationException("could not start ssh");
            // Every byte value, in an order of its own: a mix-up between two sessions, or a byte changed, shows.
            return new CatClient(process, RandomNumberGenerator.GetBytes(2 * Half));
        }

        /// <summary>Sends half <paramref name="part"/> and reads the same bytes back.</summary>
        public async Task RoundTripAsync(int part, CancellationToken cancellationToken)
        {
            var sent = _data.AsMemory(part * Half, Half);
            var write = _process.StandardInput.BaseStream.WriteAsync(sent, cancellationToken).AsTask()
                .ContinueWith(_ => _process.StandardInput.BaseStream.FlushAsync(cancellationToken), cancellationToken).Unwrap();
            var back = new byte[Half];
            try
            {
                await _process.StandardOutput.BaseStream.ReadExactlyAsync(back, cancellationToken);
            }
            catch (EndOfStreamException)
            {
                throw new Xunit.Sdk.XunitException($"session ended early (exit {(_process.HasExited ? _process.ExitCode : -1)}): {Error}");
            }
            await write;
            Assert.True(back.AsSpan().SequenceEqual(sent.Span), $"bytes differ in part {part}: {Error}");
            Opened = true;
        }

        /// <summary>The second half, then end of input: the session must end cleanly with nothing more on its output.</summary>
        public async Task FinishAsync(CancellationToken cancellationToken)
        {
            await RoundTripAsync(1, cancellationToken);
            _process.StandardInput.Close();
            var rest = new MemoryStream();
            await _process.StandardOutput.BaseStream.CopyToAsync(rest, cancellationToken);
            await _process.WaitForExitAsync(cancellationToken);
            await _stderr;
            Assert.True(rest.Length == 0 && _process.ExitCode == 0, $"exit {_process.ExitCode}, {rest.Length} bytes more: {Error}");
        }

        public bool Opened { get; private set; }

        public string Error
        {
            get
            {
                lock (_error) return _error.ToString();
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited) ProcessRunner.Kill(_process);
            _process.Dispose();
        }
    }
}
