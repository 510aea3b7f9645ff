using System.Text;
using Fumidai.Recording.Recorder;
using Fumidai.Ssh;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Connection.Requests;

namespace Fumidai.Gateway.Bastion.Session;

/// <summary>The operator's end of a session channel as the bastion speaks to it: text, notices, and how the channel ends.</summary>
/// <remarks>
/// Every write tolerates a channel that is already gone: an operator who left cannot be told anything, and that must not
/// change how the session is recorded. Writes wait for the operator's window at most <see cref="WriteLimit"/>: a client
/// that stopped reading cannot hold a session's end (and its recording's seal) open.
/// </remarks>
internal sealed class OperatorTerminal
{
    private static readonly TimeSpan WriteLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(2);
    private volatile bool _stalled;

    public OperatorTerminal(SshChannel channel) => Channel = channel;

    public SshChannel Channel { get; }

    /// <summary>With a pty notices go to the terminal; without one to stderr, so scripts can tell them from output.</summary>
    public bool HasPty { get; set; }

    /// <summary>Once set, each notice is also a marker in the recording.</summary>
    public SessionRecorder? Recorder { get; set; }

    /// <summary>True once the operator's channel is closed (by either side) or its connection is gone.</summary>
    public bool IsGone => Channel.Closed.IsCompleted;

    public Task WriteAsync(string text) => WriteDataAsync(Encoding.UTF8.GetBytes(text), extended: false);

    /// <summary>A bastion notice on its own line: <c>[fumidai] message</c>.</summary>
    public async Task NoticeAsync(string message)
    {
        var bytes = Encoding.UTF8.GetBytes($"\r\n[fumidai] {message}\r\n");
        Recorder?.Marker("notice: " + message);
        await WriteDataAsync(bytes, extended: !HasPty).ConfigureAwait(false);
    }

    /// <summary>Ends the channel with a one-line reason on stderr and an exit status.</summary>
    public async Task FailAsync(string message, uint exitStatus)
    {
        await WriteDataAsync(Encoding.UTF8.GetBytes($"fumidai: {message}\r\n"), extended: true).ConfigureAwait(false);
        await FinishAsync(exitStatus).ConfigureAwait(false);
    }

    /// <summary>Ends the channel: exit status, EOF, close.</summary>
    public Task FinishAsync(uint exitStatus) => EndAsync(new ExitStatusRequest(exitStatus));

    /// <summary>Ends the channel with what the target reported (status or signal).</summary>
    public Task ForwardExitAsync(SshExitResult exit) => EndAsync(exit.ExitStatus is { } code
        ? new ExitStatusRequest(code)
        : new ExitSignalRequest(exit.ExitSignal!, exit.CoreDumped, exit.ErrorMessage ?? ""));

    private async Task EndAsync(ChannelRequest exit)
    {
        try
        {
            using var limit = Limit();
            await Channel.SendRequestAsync(exit, limit.Token).ConfigureAwait(false);
            await Channel.SendEofAsync(limit.Token).ConfigureAwait(false);
            await Channel.CloseAsync(limit.Token).ConfigureAwait(false);
            // OpenSSH answers CLOSE once it has written what it received to the terminal; waiting for that answer keeps a
            // disconnect that follows (revocation ends the whole connection) from cutting off the last notice.
            await Channel.Closed.WaitAsync(CloseWait, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ChannelRelay.IsChannelGone(ex) || ex is TimeoutException)
        {
        }
    }

    /// <summary>Writes within the limit; once the operator has stalled one write, later ones are skipped rather than waited for.</summary>
    private async Task WriteDataAsync(byte[] bytes, bool extended)
    {
        if (_stalled) return;
        using var limit = Limit();
        try
        {
            if (extended) await Channel.WriteExtendedAsync(bytes, limit.Token).ConfigureAwait(false);
            else await Channel.WriteAsync(bytes, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ChannelRelay.IsChannelGone(ex))
        {
            if (limit.IsCancellationRequested && !Channel.ClosingToken.IsCancellationRequested) _stalled = true;
        }
    }

    private CancellationTokenSource Limit()
    {
        var limit = CancellationTokenSource.CreateLinkedTokenSource(Channel.ClosingToken);
        limit.CancelAfter(WriteLimit);
        return limit;
    }
}
