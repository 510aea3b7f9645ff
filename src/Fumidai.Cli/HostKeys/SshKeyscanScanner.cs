using System.ComponentModel;
using System.Diagnostics;
using Fumidai.Cli.Infrastructure;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.HostKeys;

/// <summary>Fetches host keys by running OpenSSH's <c>ssh-keyscan -p PORT HOST</c> and parsing its output lines.</summary>
public sealed class SshKeyscanScanner : IHostKeyScanner
{
    private readonly string _program;
    private readonly TimeSpan _timeout;

    public SshKeyscanScanner(string program = "ssh-keyscan", TimeSpan? timeout = null)
    {
        _program = program;
        _timeout = timeout ?? TimeSpan.FromSeconds(10);
    }

    public async Task<IReadOnlyList<SshPublicKey>> ScanAsync(string host, int port, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-T", ((int)_timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--", host })
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw CliException.Failure($"could not run {_program}");
        }
        catch (Win32Exception ex)
        {
            throw CliException.Failure($"could not run {_program} to scan {host}:{port} ({ex.Message}); install openssh-client or use --host-key");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            var keys = Parse(await stdout.ConfigureAwait(false));
            if (keys.Count == 0)
            {
                string reason = string.Join("; ", (await stderr.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Where(l => !l.StartsWith('#')));
                throw CliException.Failure($"no host key received from {host}:{port}" + (reason.Length > 0 ? $" ({reason})" : " (unreachable or not an SSH server)"));
            }
            return keys;
        }
    }

    /// <summary>Reads <c>HOST TYPE BASE64</c> lines, skipping comments and key types this build does not know.</summary>
    public static IReadOnlyList<SshPublicKey> Parse(string output)
    {
        var keys = new List<SshPublicKey>();
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3) continue;
            try
            {
                var key = SshPublicKey.ParseOpenSsh(parts[1] + " " + parts[2]);
                if (!keys.Any(k => k.BlobEquals(key))) keys.Add(key);
            }
            catch (Exception ex) when (ex is FormatException or NotSupportedException)
            {
                // A key type we do not support (e.g. ssh-dss) cannot be pinned usefully; the others can.
            }
        }
        return keys;
    }
}
