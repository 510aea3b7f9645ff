using System.Globalization;
using System.Text;
using Fumidai.Ssh;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Connection.Requests;
using Fumidai.Ssh.Server;

namespace Fumidai.Gateway.Tests.InProcess;

/// <summary>
/// A target server for in-process tests, on the project's own SSH server: any login is accepted, and a few commands
/// produce each way a session can end (exit status, signal, endless output, a dropped connection, output without close).
/// </summary>
/// <remarks>
/// Commands: <c>exit N</c>; <c>signal NAME</c>; <c>print N MS</c> (N lines, MS ms apart, then exit 0); <c>cat</c> (stdin back,
/// exit 0 at EOF); <c>hang</c> (nothing until closed; a signal request ends it with that signal); <c>drop</c> (writes a line,
/// then cuts the connection without an exit status); <c>eof-only</c> (writes a line and EOF but never exits or closes).
/// A shell echoes what it reads and exits with N on a line <c>exit N</c>.
/// </remarks>
public sealed class FakeTarget : ISshServerApplication
{
    /// <summary>Every command and shell the target was asked to run, in order.</summary>
    public List<string> Started { get; } = [];

    /// <summary>Signals the bastion passed on.</summary>
    public List<string> Signals { get; } = [];

    public ValueTask<AuthenticationDecision> AuthenticateAsync(AuthenticationAttempt attempt, AuthenticationContext context,
        CancellationToken cancellationToken) =>
        ValueTask.FromResult(attempt is PasswordAttempt ? AuthenticationDecision.Success : AuthenticationDecision.Failure(AuthenticationMethods.Password));

    public IChannelOpenHandler CreateChannelHandler(SshServerSession session) => new Handler(this, session);

    private sealed class Handler(FakeTarget target, SshServerSession session) : IChannelOpenHandler
    {
        public ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request, CancellationToken cancellationToken)
        {
            if (request.ChannelType != "session")
                return ValueTask.FromResult(ChannelOpenDecision.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "sessions only"));
            return ValueTask.FromResult(ChannelOpenDecision.Accept(channel =>
            {
                var signalled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                channel.RequestHandler = (r, ct) => OnRequestAsync(channel, r, signalled);
            }));
        }

        private ValueTask<bool> OnRequestAsync(SshChannel channel, ChannelRequest request, TaskCompletionSource<string> signalled)
        {
            switch (request)
            {
                case ExecRequest exec:
                    lock (target.Started) target.Started.Add(exec.Command);
                    channel.RunAfterReply(() => RunAsync(channel, exec.Command, signalled));
                    return ValueTask.FromResult(true);
                case ShellRequest:
                    lock (target.Started) target.Started.Add("shell");
                    channel.RunAfterReply(() => ShellAsync(channel));
                    return ValueTask.FromResult(true);
                case SignalRequest signal:
                    lock (target.Signals) target.Signals.Add(signal.Name);
                    signalled.TrySetResult(signal.Name);
                    return ValueTask.FromResult(true);
                case PtyRequest or EnvRequest or WindowChangeRequest:
                    return ValueTask.FromResult(true);
                default:
                    return ValueTask.FromResult(false);
            }
        }

        private async Task RunAsync(SshChannel channel, string command, TaskCompletionSource<string> signalled)
        {
            var ct = channel.ClosingToken;
            string[] words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            try
            {
                switch (words[0])
                {
                    case "exit":
                        await EndAsync(channel, uint.Parse(words[1], CultureInfo.InvariantCulture), null);
                        return;
                    case "signal":
                        await EndAsync(channel, null, words[1]);
                        return;
                    case "print":
                        int count = int.Parse(words[1], CultureInfo.InvariantCulture);
                        int pause = int.Parse(words[2], CultureInfo.InvariantCulture);
                        for (int i = 0; i < count; i++)
                        {
                            await channel.WriteAsync(Encoding.ASCII.GetBytes($"line {i}\n"), ct);
                            await Task.Delay(pause, ct);
                        }
                        await EndAsync(channel, 0, null);
                        return;
                    case "flood":
                        var block = new byte[32 * 1024];
                        block.AsSpan().Fill((byte)'x');
                        while (true) await channel.WriteAsync(block, ct);
                    case "cat":
                        var buffer = new byte[4096];
                        int read;
                        while ((read = await channel.ReadAsync(buffer, ct)) > 0)
                        {
                            await channel.WriteAsync(buffer.AsMemory(0, read), ct);
                            await channel.ReturnWindowAsync(read, ct);
                        }
                        await EndAsync(channel, 0, null);
                        return;
                    case "hang":
                        string signal = await signalled.Task.WaitAsync(ct);
                        await EndAsync(channel, null, signal);
                        return;
                    case "drop":
                        await channel.WriteAsync(Encoding.ASCII.GetBytes("bye\n"), ct);
                        await Task.Delay(50, ct);
                        await session.Transport.DisposeAsync();
                        return;
                    case "eof-only":
                        await channel.WriteAsync(Encoding.ASCII.GetBytes("done\n"), ct);
                        await channel.SendEofAsync(ct);
                        return;
                    default:
                        await channel.WriteExtendedAsync(Encoding.ASCII.GetBytes($"unknown command {command}\n"), ct);
                        await EndAsync(channel, 127, null);
                        return;
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SshChannelClosedException or SshConnectionLostException or IOException)
            {
            }
        }

        private static async Task ShellAsync(SshChannel channel)
        {
            var ct = channel.ClosingToken;
            var line = new StringBuilder();
            var buffer = new byte[1024];
            try
            {
                await channel.WriteAsync("$ "u8.ToArray(), ct);
                int read;
                while ((read = await channel.ReadAsync(buffer, ct)) > 0)
                {
                    await channel.WriteAsync(buffer.AsMemory(0, read), ct);
                    await channel.ReturnWindowAsync(read, ct);
                    foreach (char c in Encoding.ASCII.GetString(buffer, 0, read))
                    {
                        if (c is not ('\r' or '\n'))
                        {
                            line.Append(c);
                            continue;
                        }
                        string typed = line.ToString();
                        line.Clear();
                        if (typed.StartsWith("exit ", StringComparison.Ordinal))
                        {
                            await EndAsync(channel, uint.Parse(typed[5..], CultureInfo.InvariantCulture), null);
                            return;
                        }
                        await channel.WriteAsync("\r\n$ "u8.ToArray(), ct);
                    }
                }
                await EndAsync(channel, 0, null);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SshChannelClosedException or SshConnectionLostException or IOException)
            {
            }
        }

        private static async Task EndAsync(SshChannel channel, uint? status, string? signal)
        {
            if (status is { } code) await channel.SendExitStatusAsync(code);
            else await channel.SendRequestAsync(new ExitSignalRequest(signal!, false, ""));
            await channel.SendEofAsync();
            await channel.CloseAsync();
        }
    }
}
