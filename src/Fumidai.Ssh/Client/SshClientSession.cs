using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Connection.Requests;

namespace Fumidai.Ssh.Client;

/// <summary>A <c>session</c> channel (RFC 4254 §6) from the client side: pty, env, exec/shell/subsystem, resize, signals, exit.</summary>
/// <remarks>
/// Data goes through <see cref="Channel"/> (stdout via ReadAsync, stderr via ReadExtendedAsync). Read both when the command
/// writes much to each: the window is credited only as data is read.
/// </remarks>
public sealed class SshClientSession : IAsyncDisposable
{
    private readonly TaskCompletionSource<SshExitResult> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SshExitResult? _reported;

    internal SshClientSession(SshChannel channel)
    {
        Channel = channel;
        // The handler stays synchronous: the connection skips requests handled after the peer's CLOSE arrived.
        channel.RequestHandler = OnRequest;
        _ = channel.Closed.ContinueWith(_ => _exit.TrySetResult(_reported ?? new SshExitResult(null, null)), TaskScheduler.Default);
    }

    public SshChannel Channel { get; }

    /// <summary>Completes when the channel is closed, with the exit status or signal the server reported.</summary>
    public Task<SshExitResult> Exit => _exit.Task;

    /// <summary>The server sent <c>eow@openssh.com</c>: it reads no more of our data.</summary>
    public bool EndOfWriteReceived { get; private set; }

    private ValueTask<bool> OnRequest(ChannelRequest request, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case ExitStatusRequest status:
                _reported ??= new SshExitResult(status.ExitStatus, null);
                return ValueTask.FromResult(true);
            case ExitSignalRequest signal:
                _reported ??= new SshExitResult(null, signal.SignalName, signal.CoreDumped, signal.ErrorMessage);
                return ValueTask.FromResult(true);
            case EndOfWriteRequest:
                EndOfWriteReceived = true;
                return ValueTask.FromResult(true);
            default:
                // A server has no business asking a client's session for anything else (RFC 4254 §6.1: refuse).
                return ValueTask.FromResult(false);
        }
    }

    /// <summary>Asks for a pseudo-terminal (<c>pty-req</c>); <paramref name="modes"/> are passed as encoded, e.g. relayed from an operator.</summary>
    public async Task RequestPtyAsync(string term, uint columns, uint rows, TerminalModes? modes = null, uint widthPixels = 0,
        uint heightPixels = 0, CancellationToken cancellationToken = default) =>
        await RequireAsync(new PtyRequest(true, term, columns, rows, widthPixels, heightPixels, modes ?? TerminalModes.Empty),
            cancellationToken).ConfigureAwait(false);

    /// <summary>Sets an environment variable (<c>env</c>); returns false when the server refuses (sshd accepts only AcceptEnv names).</summary>
    public async Task<bool> SetEnvironmentAsync(string name, string value, CancellationToken cancellationToken = default) =>
        await Channel.SendRequestAsync(new EnvRequest(true, name, value), cancellationToken).ConfigureAwait(false);

    /// <summary>Runs one command (<c>exec</c>).</summary>
    public async Task ExecAsync(string command, CancellationToken cancellationToken = default) =>
        await RequireAsync(new ExecRequest(true, command), cancellationToken).ConfigureAwait(false);

    /// <summary>Starts the login shell (<c>shell</c>).</summary>
    public async Task ShellAsync(CancellationToken cancellationToken = default) =>
        await RequireAsync(new ShellRequest(true), cancellationToken).ConfigureAwait(false);

    /// <summary>Starts a subsystem such as <c>sftp</c>.</summary>
    public async Task SubsystemAsync(string name, CancellationToken cancellationToken = default) =>
        await RequireAsync(new SubsystemRequest(true, name), cancellationToken).ConfigureAwait(false);

    /// <summary>Reports a new terminal size (<c>window-change</c>; no reply, RFC 4254 §6.7).</summary>
    public async Task ChangeWindowAsync(uint columns, uint rows, uint widthPixels = 0, uint heightPixels = 0,
        CancellationToken cancellationToken = default) =>
        await Channel.SendRequestAsync(new WindowChangeRequest(columns, rows, widthPixels, heightPixels), cancellationToken).ConfigureAwait(false);

    /// <summary>Delivers a signal by name without the SIG prefix, e.g. <c>INT</c> (sshd honours it since OpenSSH 7.9).</summary>
    public async Task SignalAsync(string name, CancellationToken cancellationToken = default) =>
        await Channel.SendRequestAsync(new SignalRequest(name), cancellationToken).ConfigureAwait(false);

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => Channel.ReadAsync(buffer, cancellationToken);

    public ValueTask<int> ReadErrorAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Channel.ReadExtendedAsync(buffer, cancellationToken);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => Channel.WriteAsync(data, cancellationToken);

    /// <summary>Signals end of input (CHANNEL_EOF), e.g. after uploading a file to <c>sha256sum</c>.</summary>
    public ValueTask SendEofAsync(CancellationToken cancellationToken = default) => Channel.SendEofAsync(cancellationToken);

    /// <summary>Reads stdout and stderr to their ends concurrently, then waits for the exit.</summary>
    public async Task<SshCommandResult> ReadToEndAsync(CancellationToken cancellationToken = default)
    {
        var stdout = DrainAsync(Channel.ReadAsync, cancellationToken);
        var stderr = DrainAsync(Channel.ReadExtendedAsync, cancellationToken);
        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        var exit = await Exit.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new SshCommandResult(exit, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static async Task<byte[]> DrainAsync(Func<Memory<byte>, CancellationToken, ValueTask<int>> read, CancellationToken cancellationToken)
    {
        var output = new MemoryStream();
        var buffer = new byte[32 * 1024];
        int count;
        while ((count = await read(buffer, cancellationToken).ConfigureAwait(false)) > 0) output.Write(buffer, 0, count);
        return output.ToArray();
    }

    private async Task RequireAsync(ChannelRequest request, CancellationToken cancellationToken)
    {
        if (!await Channel.SendRequestAsync(request, cancellationToken).ConfigureAwait(false))
            throw new SshChannelRequestException(request.Type, Channel.Closed.IsCompleted ? "channel closed" : "CHANNEL_FAILURE");
    }

    /// <summary>Closes the channel (CHANNEL_CLOSE) and waits briefly for the server's CLOSE.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Channel.CloseAsync().ConfigureAwait(false);
            await Channel.Closed.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshConnectionLostException or IOException or ObjectDisposedException or TimeoutException)
        {
            // The connection is going away; there is nothing left to close.
        }
    }
}
