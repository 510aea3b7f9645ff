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
/// change how the session is recorded.
/// </remarks>
internal sealed class OperatorTerminal
{
    public OperatorTerminal(SshChannel channel) => Channel = channel;

    public SshChannel Channel { get; }

    /// <summary>With a pty notices go to the terminal; without one to stderr, so scripts can tell them from output.</summary>
    public bool HasPty { get; set; }

    /// <summary>Once set, each notice is also a marker in the recording.</summary>
    public SessionRecorder? Recorder { get; set; }

    /// <summary>True once the operator's channel is closed (by either side) or its connection is gone.</summary>
    public bool IsGone => Channel.Closed.IsCompleted;

    public async Task WriteAsync(string text)
    {
        try
        {
            await Channel.WriteAsync(Encoding.UTF8.GetBytes(text)).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsChannelGone(ex))
        {
        }
    }

    /// <summary>A bastion notice on its own line: <c>[fumidai] message</c>.</summary>
    public async Task NoticeAsync(string message)
    {
        var bytes = Encoding.UTF8.GetBytes($"\r\n[fumidai] {message}\r\n");
        Recorder?.Marker("notice: " + message);
        try
        {
            if (HasPty) await Channel.WriteAsync(bytes).ConfigureAwait(false);
            else await Channel.WriteExtendedAsync(bytes).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsChannelGone(ex))
        {
        }
    }

    /// <summary>Ends the channel with a one-line reason on stderr and an exit status.</summary>
    public async Task FailAsync(string message, uint exitStatus)
    {
        try
        {
            await Channel.WriteExtendedAsync(Encoding.UTF8.GetBytes($"fumidai: {message}\r\n")).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsChannelGone(ex))
        {
        }
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
            await Channel.SendRequestAsync(exit).ConfigureAwait(false);
            await Channel.SendEofAsync().ConfigureAwait(false);
            await Channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsChannelGone(ex))
        {
        }
    }

    /// <summary>The failures that mean only "the other side is gone".</summary>
    public static bool IsChannelGone(Exception ex) =>
        ex is OperationCanceledException or SshChannelClosedException or SshConnectionLostException or IOException;
}
