using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion.Transfers;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Targets;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Recorder;
using Fumidai.Recording.Storage;
using Fumidai.Ssh;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Connection;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Bastion.Session;

/// <summary>
/// One session as the record knows it: its row, its recording, its audit start and end, its byte counts and the reason
/// it ended. Everything after the row is written runs in one try/finally, so every way out records the same truth in
/// the row, the audit log and the recording's manifest.
/// </summary>
internal sealed class RecordedSession
{
    private static readonly TimeSpan RowUploadWait = TimeSpan.FromSeconds(3);
    private readonly BastionContext _context;
    private readonly BastionLogin _login;
    private readonly string _source;
    private readonly OperatorTerminal _terminal;
    private readonly SessionSetup _setup;
    private readonly SelectedTarget _selected;
    private readonly string _kind;
    private readonly string? _command;

    public RecordedSession(BastionContext context, BastionLogin login, string source, OperatorTerminal terminal, SessionSetup setup,
        SelectedTarget selected, string kind, string? command)
    {
        _context = context;
        _login = login;
        _source = source;
        _terminal = terminal;
        _setup = setup;
        _selected = selected;
        _kind = kind;
        _command = command;
    }

    public async Task RunAsync()
    {
        string user = _login.User.Name;
        var (target, login) = (_selected.Target, _selected.Login);
        if (_context.Recordings.RefusesSessions)
        {
            // Strict mode fails closed: a session that could not be recorded durably does not start.
            await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, user, _source, target.Name,
                new Dictionary<string, string> { ["login"] = login, ["kind"] = _kind, ["reason"] = "recording store unavailable (strict mode)" },
                CancellationToken.None).ConfigureAwait(false);
            await _terminal.FailAsync("sessions cannot be recorded right now (recording store unavailable, strict mode); try again later", 1).ConfigureAwait(false);
            return;
        }
        string sessionId = BastionContext.NewSessionId();
        var start = _context.Time.GetUtcNow();
        var descriptor = Descriptor(sessionId, start);
        await _context.SessionLog.AddSessionAsync(new SessionRecord(sessionId, user, target.Name, login, _kind, _command, _source, start, null,
            SessionStatus.Running, null, 0, 0, descriptor.Prefix)).ConfigureAwait(false);
        var header = Header(start);
        var keyframes = SessionKeyframes.Start(_context, descriptor, header, _kind, _command);
        var recorder = _context.Recordings.NewRecorder(descriptor, header, keyframes?.Observer);
        _terminal.Recorder = recorder;
        // File transfers carry file bytes, not a screen: there is nothing to watch.
        if (_kind is not (ChannelKinds.Sftp or ChannelKinds.Scp)) recorder.Live = new LiveScreen(header.Width, header.Height);
        using var watchable = recorder.Live is { } live ? _context.LiveScreens.Add(sessionId, live) : null;
        recorder.Marker($"target {target.Name} ({target.Host}:{target.Port}) as {login}");
        if (_command is not null) recorder.Marker($"{_kind}: {_command}");
        var details = new Dictionary<string, string> { ["session"] = sessionId, ["login"] = login, ["kind"] = _kind };
        if (_command is not null) details["command"] = _command;
        if (_login.Machine) details["account"] = "machine";
        if (_login.Via is { } via) details["via"] = via;
        // The row is written: from here on its events are retried through an outage rather than left out.
        await RetriedAsync(() => _context.Audit.RecordAsync(AuditTypes.SessionStart, AuditOutcome.Success, user, _source, target.Name, details),
            sessionId, AuditTypes.SessionStart).ConfigureAwait(false);
        if (_kind is ChannelKinds.Exec or ChannelKinds.Scp)
            await RetriedAsync(() => _context.Audit.RecordAsync(AuditTypes.Exec, AuditOutcome.Info, user, _source, target.Name, details),
                sessionId, AuditTypes.Exec).ConfigureAwait(false);

        var transfers = new FileTransferAuditor(_context.Audit, recorder, user, _source, target.Name, sessionId);
        var observer = _kind switch
        {
            ChannelKinds.Sftp => (ITransferObserver)new SftpObserver(transfers.Report),
            ChannelKinds.Scp => new ScpObserver(ScpCommandLine.Parse(_command!), transfers.Report, recorder.Marker),
            _ => null,
        };
        var run = new RelayRun(_context, _login, _terminal, _setup, _selected, _kind, _command, sessionId, recorder, observer);
        var reason = SessionEndReason.TargetFailure;
        SshClient? client = null;
        try
        {
            client = await DialAsync(sessionId, recorder).ConfigureAwait(false);
            if (client is null) return;
            reason = await run.RunAsync(client).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever broke, the session ended: who was gone decides the reason, and an operator still there is told.
            reason = _terminal.IsGone ? SessionEndReason.ClientClosed : SessionEndReason.TargetClosed;
            if (ChannelRelay.IsChannelGone(ex) || ex is SshChannelOpenException)
                _context.Logger.LogDebug("session {Session} of {User} ended early: {Message}", sessionId, user, ex.Message);
            else
                _context.Logger.LogError(ex, "session {Session} of {User} failed", sessionId, user);
            if (!_terminal.IsGone) await _terminal.FailAsync("the session ended on an error; it was logged", RelayRun.LostTargetExitStatus).ConfigureAwait(false);
        }
        finally
        {
            observer?.Complete();
            await transfers.CompleteAsync().ConfigureAwait(false);
            if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
            reason = await CompleteRecordingAsync(sessionId, recorder, reason).ConfigureAwait(false);
            // The row says the session ended once its recording is in the store (bounded, so an outage does not hold the
            // row): whoever sees it ended can open the recording at once.
            await SessionCommandIndexing.UploadedAsync(recorder.Chunks.Uploaded, RowUploadWait).ConfigureAwait(false);
            // Likewise its keyframes: the first viewer then reads one chunk, not the whole recording.
            var commands = keyframes is null ? null
                : await keyframes.PublishedAsync(recorder.Failure is not null, RowUploadWait).ConfigureAwait(false);
            // Commands found as it was recorded are searchable once the row says it ended; read back, they come after.
            var indexing = new SessionCommandIndexing(_context);
            if (commands is not null) await indexing.IndexCollectedAsync(sessionId, commands).ConfigureAwait(false);
            await EndAsync(sessionId, start, reason, run.BytesFromOperator, run.BytesToOperator).ConfigureAwait(false);
            if (commands is null) await indexing.IndexAsync(sessionId, recorder).ConfigureAwait(false);
        }
    }

    /// <summary>Connects to the target; on failure records why, tells the operator, and returns null.</summary>
    private async Task<SshClient?> DialAsync(string sessionId, SessionRecorder recorder)
    {
        var (target, login) = (_selected.Target, _selected.Login);
        try
        {
            return await _context.Dialer.DialAsync(target, login, _login.User.Name, sessionId, TargetUse.Session(_setup.Pty is not null),
                _terminal.Channel.ClosingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshConnectException or SshHostKeyException or ClientAuthenticationException or SshProtocolException
            or IOException or InvalidOperationException or TimeoutException)
        {
            string line = DescribeDialFailure(ex);
            recorder.Marker(line);
            await _context.Audit.RecordAsync(AuditTypes.TargetFailure, AuditOutcome.Failure, _login.User.Name, _source, target.Name,
                new Dictionary<string, string> { ["session"] = sessionId, ["login"] = login, ["error"] = line }).ConfigureAwait(false);
            await _terminal.FailAsync(line, 1).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Seals the recording with the end reason; a recording that could not be completed makes the session a recording failure.</summary>
    private async Task<SessionEndReason> CompleteRecordingAsync(string sessionId, SessionRecorder recorder, SessionEndReason reason)
    {
        await recorder.CompleteAsync(reason.Name).ConfigureAwait(false);
        if (recorder.Failure is null) return reason;
        await _context.Audit.RecordAsync(AuditTypes.RecordingFailure, AuditOutcome.Failure, _login.User.Name, _source, _selected.Target.Name,
            new Dictionary<string, string> { ["session"] = sessionId, ["error"] = recorder.Failure.Message }).ConfigureAwait(false);
        return SessionEndReason.RecordingFailure;
    }

    private async Task EndAsync(string sessionId, DateTimeOffset start, SessionEndReason reason, long bytesIn, long bytesOut)
    {
        var end = _context.Time.GetUtcNow();
        await RetriedAsync(() => _context.SessionLog.EndSessionAsync(sessionId, end, reason, bytesIn, bytesOut), sessionId, "row end")
            .ConfigureAwait(false);
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        await RetriedAsync(() => _context.Audit.RecordAsync(AuditTypes.SessionEnd, reason.Status == SessionStatus.Closed ? AuditOutcome.Success : AuditOutcome.Failure,
            _login.User.Name, _source, _selected.Target.Name, new Dictionary<string, string>
            {
                ["session"] = sessionId,
                ["login"] = _selected.Login,
                ["reason"] = reason.Name,
                ["bytes_in"] = bytesIn.ToString(invariant),
                ["bytes_out"] = bytesOut.ToString(invariant),
                ["duration_seconds"] = ((long)(end - start).TotalSeconds).ToString(invariant),
            }), sessionId, AuditTypes.SessionEnd).ConfigureAwait(false);
    }

    private Task RetriedAsync(Func<Task> write, string sessionId, string what) =>
        StoreRetry.RunAsync(write, $"session {sessionId}: {what}", _context.Logger, TimeProvider.System);

    private RecordingDescriptor Descriptor(string sessionId, DateTimeOffset start)
    {
        var metadata = new Dictionary<string, string>
        {
            ["user"] = _login.User.Name,
            ["target"] = _selected.Target.Name,
            ["login"] = _selected.Login,
            ["kind"] = _kind,
            ["source"] = _source,
        };
        if (_command is not null) metadata["command"] = _command;
        return new RecordingDescriptor { Id = sessionId, Prefix = ObjectLayout.RecordingPrefix(sessionId, start), Start = start, Metadata = metadata };
    }

    private AsciicastHeader Header(DateTimeOffset start)
    {
        var (columns, rows) = _setup.Size;
        var env = new Dictionary<string, string> { ["TERM"] = _setup.Pty?.Term ?? "dumb", ["SHELL"] = "/bin/sh" };
        return new AsciicastHeader((int)Math.Clamp(columns, 1, 1000), (int)Math.Clamp(rows, 1, 1000))
        {
            Timestamp = start.ToUnixTimeSeconds(),
            Title = $"{_login.User.Name}@{_selected.Target.Name}",
            Env = env,
        };
    }

    private string DescribeDialFailure(Exception ex)
    {
        var target = _selected.Target;
        return ex switch
        {
            SshHostKeyException hk => $"cannot connect to {target.Name}: its host key changed (expected {string.Join(" or ", hk.ExpectedFingerprints)}, got {hk.PresentedFingerprint}); refusing",
            ClientAuthenticationException => $"cannot connect to {target.Name}: login as {_selected.Login} refused by the target",
            SshConnectException when target.ViaAgent => $"cannot connect to {target.Name} through its agent: {ex.Message}",
            SshConnectException or IOException or TimeoutException => $"cannot connect to {target.Name} ({target.Host}:{target.Port}): target unreachable",
            _ => $"cannot connect to {target.Name}: {ex.Message}",
        };
    }
}
