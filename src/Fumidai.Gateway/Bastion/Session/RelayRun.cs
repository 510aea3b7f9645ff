using Fumidai.Gateway.Bastion.Transfers;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Recorder;
using Fumidai.Ssh;
using Fumidai.Ssh.Client;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Bastion.Session;

/// <summary>
/// Runs a session on a connected target: starts it like the operator's, relays both ways, and ends it on whatever comes
/// first (the target exits, either side goes away, a limit, the drain's cut, a recording failure or store outage,
/// revocation or an administrator); tells the operator how it ended and returns the reason.
/// </summary>
internal sealed class RelayRun
{
    /// <summary>The exit status of a session cut by shutdown: 128 + SIGTERM, as a shell reports a command ended by TERM.</summary>
    public const uint ShutdownExitStatus = 143;

    /// <summary>The exit status of a session whose target connection was lost: what OpenSSH's client returns for a lost connection.</summary>
    public const uint LostTargetExitStatus = 255;

    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PumpStopWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AgentLossWait = TimeSpan.FromSeconds(1);
    private readonly BastionContext _context;
    private readonly BastionLogin _login;
    private readonly OperatorTerminal _terminal;
    private readonly SessionSetup _setup;
    private readonly SelectedTarget _selected;
    private readonly string _kind;
    private readonly string? _command;
    private readonly string _sessionId;
    private readonly ChannelRelay _relay;
    private SshClient? _client;

    public RelayRun(BastionContext context, BastionLogin login, OperatorTerminal terminal, SessionSetup setup, SelectedTarget selected, string kind,
        string? command, string sessionId, SessionRecorder recorder, ITransferObserver? transfers)
    {
        _context = context;
        _login = login;
        _terminal = terminal;
        _setup = setup;
        _selected = selected;
        _kind = kind;
        _command = command;
        _sessionId = sessionId;
        _relay = new ChannelRelay(terminal.Channel, recorder, kind) { TransferObserver = transfers, TypedAhead = setup.TypedAhead.ToArray() };
    }

    public long BytesFromOperator => _relay.BytesFromOperator;

    public long BytesToOperator => _relay.BytesToOperator;

    public async Task<SessionEndReason> RunAsync(SshClient client)
    {
        _client = client;
        var recorder = _relay.Recorder;
        // A failure while the target was dialled was raised before anyone listened: its state tells, and nothing may reach the target.
        if (recorder.Failure is not null) return await CutAsync(SessionEndReason.RecordingFailure, RecordingFailedNotice).ConfigureAwait(false);
        var token = _terminal.Channel.ClosingToken;
        await using var session = await client.OpenSessionAsync(token).ConfigureAwait(false);
        try
        {
            await _setup.StartOnAsync(session, _kind, _command, token).ConfigureAwait(false);
        }
        catch (SshChannelRequestException ex)
        {
            await _terminal.FailAsync($"{_selected.Target.Name} refused the {_kind} request: {ex.Message}", 1).ConfigureAwait(false);
            return SessionEndReason.TargetFailure;
        }
        _setup.Target = session;
        try
        {
            // Once more before the first byte is relayed: the recording may have failed while the target started the command.
            if (recorder.Failure is not null) return await CutAsync(SessionEndReason.RecordingFailure, RecordingFailedNotice).ConfigureAwait(false);
            return await RelayAsync(session).ConfigureAwait(false);
        }
        finally
        {
            _setup.Target = null;
        }
    }

    private async Task<SessionEndReason> RelayAsync(SshClientSession session)
    {
        var (user, target, login) = (_login.User, _selected.Target, _selected.Login);
        var policy = _selected.Policy;
        var idle = new IdleMonitor(policy.IdleTimeoutFor(user, target, login, _context.IdleTimeout),
            policy.MaxSessionFor(user, target, login, _context.MaxSession), _context.Time);
        _relay.InputReceived += idle.Touch;
        var end = new SessionEnd();
        void OnRecordingFailed(Exception _) => end.TrySet(SessionEndReason.RecordingFailure, RecordingFailedNotice);
        _relay.Recorder.Failed += OnRecordingFailed;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_terminal.Channel.ClosingToken);
        // Registrations on node-wide tokens are disposed with the session, so a long-running node does not collect them.
        using var drainNotice = _context.Draining.Register(() => _ = _terminal.NoticeAsync(
            $"the bastion is shutting down: this session will be closed in {IdleMonitor.Format(_context.DrainTimeout)}; please finish your work"));
        using var cut = _context.Cut.Register(() => end.TrySet(SessionEndReason.Shutdown, "session closed: the bastion is shutting down"));
        // Revocation (access removed, user disabled or locked) and `sessions kill` end the session from outside.
        using var live = _context.Sessions.Track(_sessionId, _terminal.Channel.Connection, user.Name, target.Name, login, _kind);
        _ = live.Ended.ContinueWith(t => end.TrySet(t.Result, live.Notice), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
        var pumps = _relay.RunAsync(session, stop.Token);
        _ = pumps.ContinueWith(t => end.TrySet(t.IsCompletedSuccessfully ? t.Result : Gone()), TaskScheduler.Default);
        _ = idle.WaitAsync(message => _terminal.NoticeAsync(message), stop.Token).ContinueWith(t => end.TrySet(t.Result, LimitNotice(t.Result)),
            CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        // Strict mode: a store outage ends the session, since what follows could not be made durable.
        if (_context.Recordings.Strict)
        {
            _ = _context.Recordings.WhenOutageAsync().WaitAsync(stop.Token).ContinueWith(
                _ => end.TrySet(SessionEndReason.RecordingFailure,
                    "session closed: the recording store is unavailable, so the session cannot continue (strict mode)"),
                CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
        try
        {
            var (reason, notice) = await end.Decided.ConfigureAwait(false);
            // The relay stops before the operator is told: a pump blocked on her window holds the channel's writes, and
            // the notice must not land in the middle of relayed output.
            await StopAsync(stop, pumps).ConfigureAwait(false);
            return await FinishAsync(session, reason, notice).ConfigureAwait(false);
        }
        finally
        {
            _relay.Recorder.Failed -= OnRecordingFailed;
            await StopAsync(stop, pumps).ConfigureAwait(false);
        }
    }

    private static async Task StopAsync(CancellationTokenSource stop, Task pumps)
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await Quietly(pumps.WaitAsync(PumpStopWait)).ConfigureAwait(false);
    }

    /// <summary>Tells the operator how the session ended; returns the reason as it finally stands.</summary>
    private async Task<SessionEndReason> FinishAsync(SshClientSession session, SessionEndReason reason, string? notice)
    {
        if (reason == SessionEndReason.ClientClosed) return reason;
        if (reason == SessionEndReason.Exit)
        {
            // The target's output ended: its exit status or signal follows, unless its connection went away.
            SshExitResult? exit = null;
            try
            {
                exit = await session.Exit.WaitAsync(ExitWait).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _context.Logger.LogDebug("session {Session}: target ended its output but sent no exit within {Seconds} s", _sessionId, ExitWait.TotalSeconds);
            }
            if (exit is { ExitStatus: not null } or { ExitSignal: not null })
            {
                _relay.Recorder.Marker(exit.ToString());
                await _terminal.ForwardExitAsync(exit).ConfigureAwait(false);
                return reason;
            }
            if (_terminal.IsGone) return SessionEndReason.ClientClosed;
            reason = SessionEndReason.TargetClosed;
        }
        if (reason == SessionEndReason.TargetClosed)
        {
            string lost = _selected.Target.Name;
            // Through an agent, the operator learns whether the agent's own connection went (the agent or its host), not only the target's.
            if (_selected.Target.ViaAgent && _client is not null && await _context.Dialer.AgentLostAsync(_client, AgentLossWait).ConfigureAwait(false) is { } why)
            {
                lost += ": " + why;
                _relay.Recorder.Marker($"agent of {_selected.Target.Name}: {why}");
            }
            await _terminal.NoticeAsync($"session closed: the connection to the target was lost ({lost})").ConfigureAwait(false);
            await _terminal.FinishAsync(LostTargetExitStatus).ConfigureAwait(false);
            return reason;
        }
        return await CutAsync(reason, notice ?? "session closed").ConfigureAwait(false);
    }

    /// <summary>The bastion ends the session: a notice, then a failure exit status (a script must not take it for success).</summary>
    private async Task<SessionEndReason> CutAsync(SessionEndReason reason, string notice)
    {
        await _terminal.NoticeAsync(notice).ConfigureAwait(false);
        await _terminal.FinishAsync(reason == SessionEndReason.Shutdown ? ShutdownExitStatus : 1u).ConfigureAwait(false);
        return reason;
    }

    /// <summary>The relay stopped on an error: whoever is gone ended it.</summary>
    private SessionEndReason Gone() => _terminal.IsGone ? SessionEndReason.ClientClosed : SessionEndReason.TargetClosed;

    private const string RecordingFailedNotice = "session closed: the recording could not be written, so the session cannot continue";

    private static string LimitNotice(SessionEndReason reason) =>
        reason == SessionEndReason.IdleTimeout ? "session closed: idle for too long" : "session closed: maximum session time reached";

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException || ChannelRelay.IsChannelGone(ex))
        {
        }
    }
}
