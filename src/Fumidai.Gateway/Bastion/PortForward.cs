using Fumidai.Gateway.Audit;
using Fumidai.Ssh;
using Fumidai.Ssh.Connection;

namespace Fumidai.Gateway.Bastion;

/// <summary>Carries one forwarded TCP connection (-L, -D, -W) between the operator's channel and a target's direct-tcpip.</summary>
/// <remarks>
/// Bytes are not recorded (they are not a terminal); the forward, its byte counts and why it ended are audited. It ends
/// when idle or too old like a session, with only bytes from the operator counting as activity, or when stopped.
/// </remarks>
public sealed class PortForward
{
    private readonly SshChannel _operator;
    private readonly SshChannel _target;
    private readonly IAuditLog _audit;
    private readonly string _user;
    private readonly string _source;
    private readonly string _destination;
    private readonly IdleMonitor _limits;
    private readonly TaskCompletionSource<string> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PortForward(SshChannel operatorChannel, SshChannel targetChannel, IAuditLog audit, string user, string source, string target,
        string login, string destination, IdleMonitor limits)
    {
        _operator = operatorChannel;
        _target = targetChannel;
        _audit = audit;
        _user = user;
        _source = source;
        Target = target;
        Login = login;
        _destination = destination;
        _limits = limits;
    }

    public string Target { get; }

    public string Login { get; }

    /// <summary>Called for every chunk the operator sends, so the connection counts it as activity too.</summary>
    public Action? OperatorActivity { get; init; }

    /// <summary>Ends the forward with <paramref name="reason"/> (revoked, connection end).</summary>
    public void Stop(string reason) => _stopped.TrySetResult(reason);

    public async Task RunAsync()
    {
        _operator.DeferCredit = true;
        _target.DeferCredit = true;
        using var stop = new CancellationTokenSource();
        var up = CopyAsync(_operator, _target, fromOperator: true, stop.Token);
        var down = CopyAsync(_target, _operator, fromOperator: false, stop.Token);
        var copies = Task.WhenAll(up, down);
        var limits = _limits.WaitAsync(_ => Task.CompletedTask, stop.Token);
        string reason = "closed";
        try
        {
            var first = await Task.WhenAny(copies, limits, _stopped.Task).ConfigureAwait(false);
            if (first == limits) reason = (await limits.ConfigureAwait(false)).Name;
            else if (first == _stopped.Task) reason = await _stopped.Task.ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await copies.ConfigureAwait(false);
        }
        finally
        {
            await CloseQuietlyAsync(_operator).ConfigureAwait(false);
            await CloseQuietlyAsync(_target).ConfigureAwait(false);
            await _audit.RecordAsync(AuditTypes.PortForward, AuditOutcome.Success, _user, _source, Target, new Dictionary<string, string>
            {
                ["destination"] = _destination,
                ["bytes_in"] = up.IsCompletedSuccessfully ? up.Result.ToString() : "0",
                ["bytes_out"] = down.IsCompletedSuccessfully ? down.Result.ToString() : "0",
                ["state"] = "closed",
                ["reason"] = reason,
            }).ConfigureAwait(false);
        }
    }

    /// <summary>Copies until EOF, then passes the EOF on; the source is credited after each write.</summary>
    private async Task<long> CopyAsync(SshChannel from, SshChannel to, bool fromOperator, CancellationToken stop)
    {
        long total = 0;
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(from.ClosingToken, stop);
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(to.ClosingToken, stop);
        try
        {
            await from.ConsumeAsync(extended: false, async (data, _) =>
            {
                if (fromOperator)
                {
                    _limits.Touch();
                    OperatorActivity?.Invoke();
                }
                await to.WriteAsync(data, writing.Token).ConfigureAwait(false);
                total += data.Length;
            }, reading.Token).ConfigureAwait(false);
            await to.SendEofAsync(stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SshChannelClosedException or SshConnectionLostException or IOException)
        {
            // Either side went away, or the forward was stopped: closing both ends it.
        }
        return total;
    }

    private static async Task CloseQuietlyAsync(SshChannel channel)
    {
        try
        {
            await channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshConnectionLostException or IOException or ObjectDisposedException)
        {
        }
    }
}
