using Fumidai.Gateway.Bastion.Transfers;
using Fumidai.Gateway.Lifecycle;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Recorder;
using Fumidai.Ssh;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Connection;

namespace Fumidai.Gateway.Bastion;

/// <summary>Copies bytes between the operator's channel and the target's, recording what the kind of session calls for.</summary>
/// <remarks>
/// Each direction waits for the other side's window before reading more, so a slow side slows only this session.
/// Shells and execs, with or without a pty, record output (stderr included) and input (stdin included). sftp and scp
/// record the target's stderr and what their <see cref="TransferObserver"/> marks (operations, protocol lines, a
/// summary of each file), never file contents; if their bytes stop following the protocol, the rest is recorded as it is.
/// </remarks>
public sealed class ChannelRelay
{
    private readonly SshChannel _operator;
    private readonly bool _recordAll;
    private long _fromOperator;
    private long _toOperator;

    public ChannelRelay(SshChannel operatorChannel, SessionRecorder recorder, string kind)
    {
        _operator = operatorChannel;
        Recorder = recorder;
        _recordAll = kind is not (ChannelKinds.Sftp or ChannelKinds.Scp);
    }

    public SessionRecorder Recorder { get; }

    /// <summary>Raised for every chunk the operator sends: the only activity that resets the idle timer.</summary>
    public event Action? InputReceived;

    /// <summary>Observes the byte streams of sftp/scp sessions to audit file transfers; null for terminals.</summary>
    public ITransferObserver? TransferObserver { get; init; }

    /// <summary>Operator input that arrived before the relay started (typed after the menu choice): sent to the target first.</summary>
    public ReadOnlyMemory<byte> TypedAhead { get; init; }

    public long BytesFromOperator => Interlocked.Read(ref _fromOperator);

    public long BytesToOperator => Interlocked.Read(ref _toOperator);

    /// <summary>Relays until the target's output ends (exit), the operator goes away (client-closed) or the target does (target-closed).</summary>
    public async Task<SessionEndReason> RunAsync(SshClientSession target, CancellationToken cancellationToken)
    {
        // The source is credited only once its bytes were written to the other side.
        _operator.DeferCredit = true;
        target.Channel.DeferCredit = true;
        // The upstream pump is not awaited: it catches its own errors and ends when either channel closes.
        _ = PumpUpAsync(target, cancellationToken);
        var stdout = PumpDownAsync(target.Channel, extended: false, (data, ct) => _operator.WriteAsync(data, ct), observe: true, cancellationToken);
        var stderr = PumpDownAsync(target.Channel, extended: true, (data, ct) => _operator.WriteExtendedAsync(data, ct), observe: false,
            cancellationToken);
        var downstream = Task.WhenAll(stdout, stderr);
        var first = await Task.WhenAny(downstream, _operator.Closed, target.Channel.Closed).ConfigureAwait(false);
        if (first == _operator.Closed) return SessionEndReason.ClientClosed;
        try
        {
            await downstream.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsChannelGone(ex))
        {
            return _operator.Closed.IsCompleted ? SessionEndReason.ClientClosed : SessionEndReason.TargetClosed;
        }
        return SessionEndReason.Exit;
    }

    private async Task PumpUpAsync(SshClientSession target, CancellationToken cancellationToken)
    {
        try
        {
            if (!TypedAhead.IsEmpty)
            {
                Interlocked.Add(ref _fromOperator, TypedAhead.Length);
                Recorder.Input(TypedAhead.Span);
                await target.WriteAsync(TypedAhead, cancellationToken).ConfigureAwait(false);
            }
            await _operator.ConsumeAsync(extended: false, async (data, ct) =>
            {
                Interlocked.Add(ref _fromOperator, data.Length);
                FumidaiMetrics.BytesRelayed.Add(data.Length, FromOperator);
                InputReceived?.Invoke();
                TransferObserver?.FromClient(data.Span);
                if (RecordsBytes) Recorder.Input(data.Span);
                await target.WriteAsync(data, ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            await target.SendEofAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsChannelGone(ex))
        {
        }
    }

    /// <summary>Copies one direction of the target's output (stdout or stderr) to the operator.</summary>
    private Task<long> PumpDownAsync(SshChannel source, bool extended, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, bool observe,
        CancellationToken cancellationToken) =>
        source.ConsumeAsync(extended, async (data, ct) =>
        {
            if (observe) TransferObserver?.FromServer(data.Span);
            if (!observe || RecordsBytes) Recorder.Output(data.Span);
            await write(data, ct).ConfigureAwait(false);
            Interlocked.Add(ref _toOperator, data.Length);
            FumidaiMetrics.BytesRelayed.Add(data.Length, ToOperator);
        }, cancellationToken);

    /// <summary>Terminals always; transfers once their observer lost track of the protocol (or when there is none).</summary>
    private static readonly KeyValuePair<string, object?> FromOperator = new("direction", "in");
    private static readonly KeyValuePair<string, object?> ToOperator = new("direction", "out");

    private bool RecordsBytes => _recordAll || TransferObserver is null or { Lost: true };

    /// <summary>The failures that mean only "the other side is gone": the end of a relay or of a write to the operator, not an error.</summary>
    internal static bool IsChannelGone(Exception ex) =>
        ex is OperationCanceledException or SshChannelClosedException or SshConnectionLostException or IOException;
}
