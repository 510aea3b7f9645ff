using System.Diagnostics;
using System.Text;
using Fumidai.Ssh.Client;

namespace Fumidai.Ssh.Tests.Client;

/// <summary>A shell with a pseudo-terminal on Debian's sshd: pts device, size, window-change.</summary>
public sealed class SshdTerminalTests(SshdFixture fixture) : IClassFixture<SshdFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Shell_with_pty_reports_pts_device_size_and_window_change()
    {
        await using var client = await fixture.ConnectAsync(fixture.Ed25519Key);
        using var cts = new CancellationTokenSource(Timeout);
        await using var session = await client.OpenSessionAsync(cts.Token);
        await session.RequestPtyAsync("xterm", columns: 100, rows: 30, cancellationToken: cts.Token);
        await session.ShellAsync(cts.Token);
        var screen = new TerminalReader(session);

        await session.WriteAsync("tty; stty size; echo MARK1\n"u8.ToArray(), cts.Token);
        string first = await screen.ReadUntilAsync("\nMARK1", cts.Token);
        Assert.Matches(@"/dev/pts/\d+", first);
        Assert.Contains("30 100", first);

        await session.ChangeWindowAsync(columns: 132, rows: 43, cancellationToken: cts.Token);
        await session.WriteAsync("stty size; echo MARK2\n"u8.ToArray(), cts.Token);
        string second = await screen.ReadUntilAsync("\nMARK2", cts.Token);
        Assert.Contains("43 132", second);

        await session.WriteAsync("exit 3\n"u8.ToArray(), cts.Token);
        var exit = await session.Exit.WaitAsync(cts.Token);
        Assert.Equal(3u, exit.ExitStatus);
    }

    [Fact]
    public async Task Exec_without_pty_has_no_terminal()
    {
        await using var client = await fixture.ConnectAsync(fixture.Ed25519Key);
        using var cts = new CancellationTokenSource(Timeout);

        var result = await client.RunCommandAsync("tty", cancellationToken: cts.Token);

        Assert.Equal("not a tty\n", result.Output);
        Assert.Equal(1u, result.Exit.ExitStatus);
    }

    /// <summary>Accumulates terminal output until a marker appears (the echoed command line itself has the marker after "echo ").</summary>
    private sealed class TerminalReader(SshClientSession session)
    {
        private readonly StringBuilder _seen = new();

        public async Task<string> ReadUntilAsync(string marker, CancellationToken cancellationToken)
        {
            var buffer = new byte[4096];
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < Timeout)
            {
                string text = _seen.ToString().Replace("\r", "");
                int at = text.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    _seen.Clear();
                    _seen.Append(text[(at + marker.Length)..]);
                    return text[..at];
                }
                int read = await session.ReadAsync(buffer, cancellationToken);
                if (read == 0) throw new EndOfStreamException("shell ended before " + marker + ": " + text);
                _seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
            throw new TimeoutException("no " + marker);
        }
    }
}
