using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fumidai.Ssh.Keys;

namespace Fumidai.Testing;

/// <summary>Debian's sshd on a free port of 127.0.0.1, with its own host keys, config and authorized_keys in a temp folder.</summary>
/// <remarks>Runs in the foreground (<c>-D -e</c>) so its log is its stderr; stopped by PID (with its per-connection children) on dispose.</remarks>
public sealed class PrivateSshd : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private PrivateSshd(TempDirectory directory, int port, Process process, IReadOnlyList<SshPublicKey> hostKeys)
    {
        Directory = directory;
        Port = port;
        _process = process;
        HostKeys = hostKeys;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_log) _log.AppendLine(e.Data);
        };
        _process.BeginErrorReadLine();
    }

    public const string Host = "127.0.0.1";

    /// <summary>The login to use: tests run as root and create no users.</summary>
    public static string User => Environment.UserName;

    public TempDirectory Directory { get; }

    public int Port { get; }

    /// <summary>ed25519, ECDSA P-256 and RSA 3072 host keys, in that order (only the first when started ed25519-only).</summary>
    public IReadOnlyList<SshPublicKey> HostKeys { get; }

    public string AuthorizedKeysFile => Directory.Combine("authorized_keys");

    /// <summary>known_hosts lines pinning every host key for 127.0.0.1 on our port.</summary>
    public string KnownHostsText => string.Join('\n', HostKeys.Select(k => $"[{Host}]:{Port} {k}")) + "\n";

    /// <summary>Everything sshd logged so far.</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <param name="authorizedKeys">authorized_keys lines for every login.</param>
    /// <param name="trustedUserCaKeys">CA keys for TrustedUserCAKeys, or null to leave it unset.</param>
    /// <param name="extraConfig">More sshd_config lines, e.g. <c>RekeyLimit 8M</c>.</param>
    /// <param name="hostCa">When set, each host key gets a host certificate for principal 127.0.0.1 signed by it (HostCertificate).</param>
    /// <param name="ed25519Only">Only the ed25519 host key, so a client that scans the server sees exactly one key.</param>
    /// <param name="inNamespace">Run inside this network namespace (listening on its loopback), started with <c>ip netns exec</c>.</param>
    public static async Task<PrivateSshd> StartAsync(IEnumerable<string> authorizedKeys, IEnumerable<SshPublicKey>? trustedUserCaKeys = null,
        IEnumerable<string>? extraConfig = null, SshPrivateKey? hostCa = null, bool ed25519Only = false, NetworkNamespace? inNamespace = null)
    {
        var directory = new TempDirectory("fumidai-sshd");
        try
        {
            var hostKeys = new List<SshPublicKey>();
            var config = new StringBuilder();
            var types = ed25519Only ? new[] { ("ed25519", 0) } : new[] { ("ed25519", 0), ("ecdsa", 256), ("rsa", 3072) };
            foreach (var (type, bits) in types)
            {
                string path = directory.Combine("ssh_host_" + type + "_key");
                var args = new List<string> { "-q", "-t", type, "-N", "", "-C", "private-sshd", "-f", path };
                if (bits > 0) args.AddRange(["-b", bits.ToString()]);
                var result = await ProcessRunner.RunAsync("ssh-keygen", args, TimeSpan.FromSeconds(60));
                if (result.ExitCode != 0) throw new InvalidOperationException("ssh-keygen failed: " + result.StandardError);
                var hostKey = SshPublicKey.ParseOpenSsh(File.ReadAllText(path + ".pub"));
                hostKeys.Add(hostKey);
                config.Append("HostKey ").Append(path).Append('\n');
                if (hostCa is not null)
                {
                    var builder = new SshCertificateBuilder(hostKey, SshCertificateType.Host, "private-sshd " + type)
                    {
                        ValidAfter = DateTimeOffset.UtcNow.AddMinutes(-1),
                        ValidBefore = DateTimeOffset.UtcNow.AddHours(1),
                    };
                    builder.ValidPrincipals.Add(Host);
                    File.WriteAllText(path + "-cert.pub", builder.Sign(hostCa) + "\n");
                    config.Append("HostCertificate ").Append(path).Append("-cert.pub\n");
                }
            }
            File.WriteAllLines(directory.Combine("authorized_keys"), authorizedKeys);
            // SHLVL=1: Debian's bash sources ~/.bashrc for a command run by sshd only in a top-level shell, and the host
            // account's rc files are not ours to run (on a developer's machine they may take seconds, or hold a lock that
            // makes concurrent commands wait in turn). Interactive and login shells still read them.
            int port = FreePort();
            config.Append($"""
                Port {port}
                ListenAddress {Host}
                PidFile {directory.Combine("sshd.pid")}
                AuthorizedKeysFile {directory.Combine("authorized_keys")}
                UsePAM no
                StrictModes no
                LogLevel VERBOSE
                PermitRootLogin yes
                PasswordAuthentication yes
                KbdInteractiveAuthentication yes
                Subsystem sftp /usr/lib/openssh/sftp-server
                MaxStartups 50
                MaxAuthTries 10
                SetEnv SHLVL=1

                """);
            if (trustedUserCaKeys is not null)
            {
                File.WriteAllLines(directory.Combine("user_ca.pub"), trustedUserCaKeys.Select(k => k.ToString()));
                config.Append("TrustedUserCAKeys ").Append(directory.Combine("user_ca.pub")).Append('\n');
            }
            foreach (var line in extraConfig ?? []) config.Append(line).Append('\n');
            string configPath = directory.Combine("sshd_config");
            File.WriteAllText(configPath, config.ToString());
            System.IO.Directory.CreateDirectory("/run/sshd");

            // In a namespace, 127.0.0.1 is the namespace's own loopback: nothing outside it can connect.
            var info = new ProcessStartInfo(inNamespace is null ? "/usr/sbin/sshd" : "ip") { RedirectStandardError = true, UseShellExecute = false };
            IEnumerable<string> prefix = inNamespace is null ? [] : inNamespace.ExecPrefix.Append("/usr/sbin/sshd");
            foreach (var arg in prefix.Concat(["-D", "-e", "-f", configPath])) info.ArgumentList.Add(arg);
            var process = Process.Start(info) ?? throw new InvalidOperationException("could not start sshd");
            var sshd = new PrivateSshd(directory, port, process, hostKeys);
            await sshd.WaitListeningAsync();
            return sshd;
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Waits (at most 10 s) until sshd accepts TCP connections.</summary>
    private async Task WaitListeningAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process.HasExited) throw new InvalidOperationException($"sshd exited with {_process.ExitCode}: {Log}");
            if (Log.Contains("Server listening", StringComparison.Ordinal)) return;
            await Task.Delay(50);
        }
        throw new TimeoutException("sshd did not start listening: " + Log);
    }

    /// <summary>Waits (bounded) until the log contains <paramref name="text"/>: sshd writes some lines after the client has moved on.</summary>
    public async Task<bool> WaitForLogAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(5)))
        {
            if (Log.Contains(text, StringComparison.Ordinal)) return true;
            await Task.Delay(50);
        }
        return false;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        ProcessRunner.Kill(_process);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }
        _process.Dispose();
        Directory.Dispose();
    }
}
