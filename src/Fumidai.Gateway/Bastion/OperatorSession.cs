using System.Text;
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
using Fumidai.Ssh.Connection.Requests;
using Microsoft.Extensions.Logging;
using Fumidai.Ssh.Wire;

namespace Fumidai.Gateway.Bastion;

/// <summary>
/// One operator session channel: collects pty and env, then on shell/exec/subsystem chooses the target, checks the
/// policy, dials the target, relays both ways while recording, and ends on exit, disconnect, idle or drain.
/// </summary>
public sealed class OperatorSession
{
    private const int MaxEnvironment = 32;
    private const int MaxMenuAttempts = 5;
    private const string RecordingUnavailable = "recording-unavailable";
    private static readonly TimeSpan IndexUploadWait = TimeSpan.FromSeconds(10);
    private readonly BastionContext _context;
    private BastionLogin _login;
    private readonly string _source;
    private readonly SshChannel _channel;
    private readonly List<EnvRequest> _environment = [];
    private readonly object _lock = new();
    private PtyRequest? _pty;
    private (uint Columns, uint Rows) _size = (80, 24);
    private SshClientSession? _target;
    private SessionRecorder? _recorder;
    private bool _started;
    // What the operator typed after the menu choice, before the target's shell was there: sent to it first.
    private readonly List<byte> _typedAhead = [];

    public OperatorSession(BastionContext context, BastionLogin login, string source, SshChannel channel)
    {
        _context = context;
        _login = login;
        _source = source;
        _channel = channel;
    }

    /// <summary>The user as just re-read from the store, before a shell/exec/subsystem request is handled.</summary>
    public void Refresh(BastionLogin login) => _login = login;

    /// <summary>Answers the operator's channel requests (wired as <see cref="SshChannel.RequestHandler"/>).</summary>
    public async ValueTask<bool> HandleRequestAsync(ChannelRequest request, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case PtyRequest pty when !_started:
                _pty = pty;
                // A client without a real terminal (ssh -tt from a pipe) reports 0x0; recordings need a usable size.
                _size = (pty.Columns == 0 ? 80 : pty.Columns, pty.Rows == 0 ? 24 : pty.Rows);
                return true;
            case EnvRequest env when !_started:
                if (_environment.Count >= MaxEnvironment) return false;
                _environment.Add(env);
                return true;
            case WindowChangeRequest resize:
                await ResizeAsync(resize).ConfigureAwait(false);
                return true;
            case SignalRequest or BreakRequest when _target is { } target:
                // Signals and BREAK are the operator's to send: pass them on unchanged.
                await target.Channel.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
                return true;
            case ShellRequest when !_started:
                _started = true;
                StartRun(ChannelKinds.Shell, null);
                return true;
            case ExecRequest exec when !_started:
                _started = true;
                StartRun(ClassifyExec(exec.Command), exec.Command);
                return true;
            case SubsystemRequest subsystem when !_started:
                _started = true;
                StartRun(subsystem.Name == "sftp" ? ChannelKinds.Sftp : "subsystem:" + subsystem.Name, subsystem.Name);
                return true;
            case ForwardingChannelRequest forwarding:
                await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, _login.User.Name, _source, _login.Name.Target,
                    new Dictionary<string, string> { ["request"] = forwarding.Type }, cancellationToken).ConfigureAwait(false);
                return false;
            default:
                return false;
        }
    }

    /// <summary>scp only when the whole command is an scp server invocation; any other text is an exec, checked and recorded as one.</summary>
    private static string ClassifyExec(string command) => ScpCommandLine.TryParse(command, out _) ? ChannelKinds.Scp : ChannelKinds.Exec;

    private async Task ResizeAsync(WindowChangeRequest resize)
    {
        SshClientSession? target;
        lock (_lock)
        {
            _size = (resize.Columns, resize.Rows);
            target = _target;
            _recorder?.Resize((int)resize.Columns, (int)resize.Rows);
        }
        if (target is not null) await target.ChangeWindowAsync(resize.Columns, resize.Rows, resize.WidthPixels, resize.HeightPixels).ConfigureAwait(false);
    }

    private void StartRun(string kind, string? command)
    {
        // The request's success reply must leave before any output, so the run starts once it has been sent.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _context.Sessions.Add($"{_login.User.Name}/{_channel.LocalId}/{Guid.NewGuid():N}", started.Task);
        _channel.RunAfterReply(async () =>
        {
            try
            {
                await RunAsync(kind, command).ConfigureAwait(false);
            }
            finally
            {
                started.TrySetResult();
            }
        });
    }

    private async Task RunAsync(string kind, string? command)
    {
        var cancellationToken = _channel.ClosingToken;
        try
        {
            var choice = await ChooseTargetAsync(kind, cancellationToken).ConfigureAwait(false);
            if (choice is null) return;
            var (target, login, policy) = choice.Value;
            if (policy.Check(_login.User, target, login, kind) is { } denied)
            {
                await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, _login.User.Name, _source, target.Name,
                    new Dictionary<string, string> { ["login"] = login, ["kind"] = kind, ["reason"] = denied }, CancellationToken.None).ConfigureAwait(false);
                await FailAsync($"access denied: {denied}", 1).ConfigureAwait(false);
                return;
            }
            await RelayAsync(target, login, kind, command, policy).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SshConnectionLostException or SshChannelClosedException or IOException)
        {
            _context.Logger.LogDebug("session of {User} ended early: {Message}", _login.User.Name, ex.Message);
        }
        catch (Exception ex)
        {
            _context.Logger.LogError(ex, "session of {User} failed", _login.User.Name);
            await FailAsync("internal error; the incident was logged", 1).ConfigureAwait(false);
        }
    }

    private async Task<(TargetRecord Target, string Login, AccessPolicy Policy)?> ChooseTargetAsync(string kind, CancellationToken cancellationToken)
    {
        var policy = await _context.LoadPolicyAsync(cancellationToken).ConfigureAwait(false);
        var targets = await _context.Access.ListTargetsAsync(cancellationToken).ConfigureAwait(false);
        var name = _login.Name;
        // The audit keeps the precise reason; the operator sees one line for a target that does not exist and for one no
        // role of hers grants, so the answer does not tell her which targets exist.
        async Task<string> DenyAsync(string typedName, TargetRecord? target, string? login)
        {
            // What was typed at the menu is the operator's text: escaped before it reaches the audit or her terminal.
            string targetName = ControlText.Escape(typedName);
            string? denied = TargetMenu.Refusal(policy, _login.User, target, login, kind);
            var details = new Dictionary<string, string> { ["kind"] = kind, ["reason"] = denied ?? "unknown target" };
            if (login is not null) details["login"] = login;
            await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, _login.User.Name, _source, targetName, details,
                CancellationToken.None).ConfigureAwait(false);
            return TargetMenu.RefusalLine(policy, _login.User, target, targetName, denied);
        }
        if (name.Target is not null)
        {
            var target = targets.FirstOrDefault(t => t.Name == name.Target);
            string? login = target is null ? name.Login : name.Login ?? DefaultLogin(policy, target);
            if (target is not null && policy.Check(_login.User, target, login!, kind) is null) return (target, login!, policy);
            await FailAsync(await DenyAsync(name.Target, target, login).ConfigureAwait(false), 1).ConfigureAwait(false);
            return null;
        }
        var reachable = policy.Reachable(_login.User, targets);
        if (kind != ChannelKinds.Shell || _pty is null)
        {
            await FailAsync($"no target given: connect as {_login.User.Name}:TARGET@bastion (targets: {string.Join(", ", reachable.Select(r => r.Target.Name))})", 2)
                .ConfigureAwait(false);
            return null;
        }
        await WriteAsync(TargetMenu.Render(_login.User.Name, reachable)).ConfigureAwait(false);
        if (reachable.Count == 0)
        {
            await FinishChannelAsync(1).ConfigureAwait(false);
            return null;
        }
        var idle = new IdleMonitor(_context.IdleTimeout, null);
        for (int attempt = 0; attempt < MaxMenuAttempts; attempt++)
        {
            await WriteAsync("Target (name, LOGIN@name or number; Ctrl-C to quit): ").ConfigureAwait(false);
            using var menuTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _context.Draining);
            menuTimeout.CancelAfter(_context.IdleTimeout);
            string? line;
            try
            {
                line = await TerminalLineReader.ReadLineAsync(_channel, idle, _typedAhead, menuTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The menu's own limits: left idle, or the bastion is draining. Say so and close, rather than leave the connection hanging.
                bool draining = _context.Draining.IsCancellationRequested;
                await WriteNoticeAsync(draining ? "session closed: the bastion is shutting down" : "session closed: idle for too long").ConfigureAwait(false);
                await FinishChannelAsync(draining ? 0u : 1u).ConfigureAwait(false);
                return null;
            }
            if (line is null) break;
            if (line.Length == 0) continue;
            // A choice that is not allowed asks again (within the bounded attempts) rather than ending the session.
            if (TargetMenu.Choose(line, reachable) is { } chosen)
            {
                string login = chosen.Login ?? DefaultLogin(policy, chosen.Target);
                if (policy.Check(_login.User, chosen.Target, login, kind) is null) return (chosen.Target, login, policy);
                await WriteAsync(await DenyAsync(chosen.Target.Name, chosen.Target, login).ConfigureAwait(false) + "\r\n").ConfigureAwait(false);
                continue;
            }
            var (typedTarget, typedLogin) = TargetMenu.Split(line);
            var named = targets.FirstOrDefault(t => t.Name == typedTarget);
            await WriteAsync(await DenyAsync(typedTarget, named, typedLogin).ConfigureAwait(false) + "\r\n").ConfigureAwait(false);
        }
        await FinishChannelAsync(1).ConfigureAwait(false);
        return null;
    }

    private string DefaultLogin(AccessPolicy policy, TargetRecord target) =>
        policy.LoginsFor(_login.User, target).FirstOrDefault() ?? target.Logins.FirstOrDefault() ?? "root";

    private async Task RelayAsync(TargetRecord target, string login, string kind, string? command, AccessPolicy policy)
    {
        string user = _login.User.Name;
        if (_context.Recordings.RefusesSessions)
        {
            // Strict mode fails closed: a session that could not be recorded durably does not start.
            await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, user, _source, target.Name,
                new Dictionary<string, string> { ["login"] = login, ["kind"] = kind, ["reason"] = "recording store unavailable (strict mode)" },
                CancellationToken.None).ConfigureAwait(false);
            await FailAsync("sessions cannot be recorded right now (recording store unavailable, strict mode); try again later", 1).ConfigureAwait(false);
            return;
        }
        string sessionId = BastionContext.NewSessionId();
        var start = DateTimeOffset.UtcNow;
        var descriptor = Descriptor(sessionId, start, user, target, login, kind, command);
        var record = new SessionRecord(sessionId, user, target.Name, login, kind, command, _source, start, null, SessionStatus.Running, null, 0, 0,
            descriptor.Prefix);
        await _context.SessionLog.AddSessionAsync(record).ConfigureAwait(false);
        var recorder = _context.Recordings.NewRecorder(descriptor, Header(user, target, start));
        lock (_lock) _recorder = recorder;
        recorder.Marker($"target {target.Name} ({target.Host}:{target.Port}) as {login}");
        if (command is not null) recorder.Marker($"{kind}: {command}");
        var details = new Dictionary<string, string> { ["session"] = sessionId, ["login"] = login, ["kind"] = kind };
        if (command is not null) details["command"] = command;
        await _context.Audit.RecordAsync(AuditTypes.SessionStart, AuditOutcome.Success, user, _source, target.Name, details).ConfigureAwait(false);
        if (kind is ChannelKinds.Exec or ChannelKinds.Scp)
            await _context.Audit.RecordAsync(AuditTypes.Exec, AuditOutcome.Info, user, _source, target.Name, details).ConfigureAwait(false);

        string reason = "closed";
        string status = SessionStatus.Closed;
        long bytesIn = 0, bytesOut = 0;
        SshClient? client = null;
        try
        {
            try
            {
                client = await _context.Dialer.DialAsync(target, login, user, sessionId, TargetUse.Session(_pty is not null), _channel.ClosingToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SshConnectException or SshHostKeyException or ClientAuthenticationException or SshProtocolException
                or IOException or InvalidOperationException or TimeoutException)
            {
                string line = DescribeDialFailure(target, login, ex);
                reason = "target-failure";
                status = SessionStatus.Failed;
                recorder.Marker(line);
                await _context.Audit.RecordAsync(AuditTypes.TargetFailure, AuditOutcome.Failure, user, _source, target.Name,
                    new Dictionary<string, string> { ["session"] = sessionId, ["login"] = login, ["error"] = line }).ConfigureAwait(false);
                await FailAsync(line, 1).ConfigureAwait(false);
                return;
            }
            var transfers = new FileTransferAuditor(_context.Audit, recorder, user, _source, target.Name, sessionId);
            var relay = new ChannelRelay(_channel, recorder, kind)
            {
                TypedAhead = _typedAhead.ToArray(),
                TransferObserver = kind switch
                {
                    ChannelKinds.Sftp => new SftpObserver(transfers.Report),
                    ChannelKinds.Scp => new ScpObserver(ScpCommandLine.Parse(command!), transfers.Report, recorder.Marker),
                    _ => null,
                },
            };
            try
            {
                reason = await RunRelayAsync(client, relay, kind, command, policy, target, login, sessionId).ConfigureAwait(false);
            }
            finally
            {
                relay.TransferObserver?.Complete();
                await transfers.CompleteAsync().ConfigureAwait(false);
            }
            bytesIn = relay.BytesFromOperator;
            bytesOut = relay.BytesToOperator;
            if (reason == RecordingUnavailable) status = SessionStatus.Failed;
            if (recorder.Failure is not null)
            {
                status = SessionStatus.Failed;
                await _context.Audit.RecordAsync(AuditTypes.RecordingFailure, AuditOutcome.Failure, user, _source, target.Name,
                    new Dictionary<string, string> { ["session"] = sessionId, ["error"] = recorder.Failure.Message }).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_lock) _target = null;
            if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
            await recorder.CompleteAsync("end: " + reason).ConfigureAwait(false);
            var end = DateTimeOffset.UtcNow;
            await _context.SessionLog.EndSessionAsync(sessionId, end, SessionEndReason.FromName(reason) ?? SessionEndReason.RecordingFailure, bytesIn, bytesOut).ConfigureAwait(false);
            await _context.Audit.RecordAsync(AuditTypes.SessionEnd, status == SessionStatus.Closed ? AuditOutcome.Success : AuditOutcome.Failure,
                user, _source, target.Name, new Dictionary<string, string>
                {
                    ["session"] = sessionId,
                    ["login"] = login,
                    ["reason"] = reason,
                    ["bytes_in"] = bytesIn.ToString(),
                    ["bytes_out"] = bytesOut.ToString(),
                    ["duration_seconds"] = ((long)(end - start).TotalSeconds).ToString(),
                }).ConfigureAwait(false);
            await IndexCommandsAsync(sessionId, recorder).ConfigureAwait(false);
        }
    }

    private RecordingDescriptor Descriptor(string sessionId, DateTimeOffset start, string user, TargetRecord target, string login, string kind,
        string? command)
    {
        var metadata = new Dictionary<string, string>
        {
            ["user"] = user,
            ["target"] = target.Name,
            ["login"] = login,
            ["kind"] = kind,
            ["source"] = _source,
        };
        if (command is not null) metadata["command"] = command;
        return new RecordingDescriptor { Id = sessionId, Prefix = ObjectLayout.RecordingPrefix(sessionId, start), Start = start, Metadata = metadata };
    }

    /// <summary>Fills the search index once the operator is gone; a failure here costs search, never the recording.</summary>
    /// <remarks>Shell commands, and the stdin lines of an exec that runs a shell, are read back from the store once uploaded
    /// (bounded wait); a write-only S3 policy leaves them to <c>fumidai sessions reindex</c>, run by someone who may read.</remarks>
    private async Task IndexCommandsAsync(string sessionId, SessionRecorder recorder)
    {
        try
        {
            if (await _context.SessionLog.GetSessionAsync(sessionId).ConfigureAwait(false) is not { } ended) return;
            // An exec's own command line is indexed at once, whether or not its recording can be read back below.
            if (ended.Kind != ChannelKinds.Shell)
                await SessionIndexer.IndexAsync(_context.Commands, ended, (Stream?)null).ConfigureAwait(false);
            if (!SessionIndexer.NeedsRecording(ended) || ended.Recording is null) return;
            if (recorder.Chunks is { } chunks && !await Uploaded(chunks.Uploaded).ConfigureAwait(false))
            {
                _context.Logger.LogInformation("session {Session}: recording not uploaded yet; command index left to `sessions reindex`", sessionId);
                return;
            }
            await using var recording = await SessionRecordings.OpenAsync(ended, _context.Recordings.Store, null).ConfigureAwait(false);
            await SessionIndexer.IndexAsync(_context.Commands, ended, recording).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ObjectStoreException or Microsoft.Data.Sqlite.SqliteException)
        {
            _context.Logger.LogWarning("session {Session}: command index not updated: {Message}", sessionId, ex.Message);
        }
    }

    private static async Task<bool> Uploaded(Task uploaded)
    {
        try
        {
            await uploaded.WaitAsync(IndexUploadWait).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task<string> RunRelayAsync(SshClient client, ChannelRelay relay, string kind, string? command, AccessPolicy policy,
        TargetRecord target, string login, string sessionId)
    {
        var recordingFailed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        relay.Recorder.Failed += _ => recordingFailed.TrySetResult("recording-failure");
        // A failure while the target was dialled was raised before anyone listened: its state tells, and nothing may reach the target.
        if (relay.Recorder.Failure is not null) return await EndUnrecordedAsync().ConfigureAwait(false);
        await using var session = await client.OpenSessionAsync(_channel.ClosingToken).ConfigureAwait(false);
        if (_pty is { } pty)
        {
            (uint columns, uint rows) = _size;
            await session.RequestPtyAsync(pty.Term, columns, rows, pty.Modes, pty.WidthPixels, pty.HeightPixels, _channel.ClosingToken).ConfigureAwait(false);
        }
        foreach (var env in _environment) await session.SetEnvironmentAsync(env.Name, env.Value, _channel.ClosingToken).ConfigureAwait(false);
        switch (kind)
        {
            case ChannelKinds.Shell:
                await session.ShellAsync(_channel.ClosingToken).ConfigureAwait(false);
                break;
            case ChannelKinds.Sftp:
                await session.SubsystemAsync("sftp", _channel.ClosingToken).ConfigureAwait(false);
                break;
            default:
                await session.ExecAsync(command!, _channel.ClosingToken).ConfigureAwait(false);
                break;
        }
        lock (_lock) _target = session;
        var idle = new IdleMonitor(policy.IdleTimeoutFor(_login.User, target, login, _context.IdleTimeout),
            policy.MaxSessionFor(_login.User, target, login, _context.MaxSession));
        relay.InputReceived += idle.Touch;
        // Once more before the first byte is relayed: the recording may have failed while the target started the command.
        if (relay.Recorder.Failure is not null) return await EndUnrecordedAsync().ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_channel.ClosingToken);
        var pumps = relay.RunAsync(session, stop.Token);
        var limits = idle.WaitAsync(message => WriteNoticeAsync(message), stop.Token);
        var draining = Task.Delay(Timeout.Infinite, _context.Draining).ContinueWith(_ => "shutdown", TaskScheduler.Default);
        // Strict mode: a store outage ends the session, since what follows could not be made durable.
        var storeLost = _context.Recordings.Strict
            ? _context.Recordings.WhenOutageAsync().WaitAsync(stop.Token).ContinueWith(_ => RecordingUnavailable, TaskScheduler.Default)
            : new TaskCompletionSource<string>().Task;
        // Revocation (access removed, user disabled or locked) and `sessions kill` end the session from outside.
        using var live = _context.Sessions.Track(sessionId, _channel.Connection, _login.User.Name, target.Name, login, kind);
        var first = await Task.WhenAny(pumps, limits, draining, recordingFailed.Task, storeLost, live.Ended).ConfigureAwait(false);
        string reason;
        if (first == pumps)
        {
            reason = await pumps.ConfigureAwait(false);
            var exit = await session.Exit.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            relay.Recorder.Marker(exit.ToString());
            await ForwardExitAsync(exit).ConfigureAwait(false);
        }
        else
        {
            reason = first == limits ? (await limits.ConfigureAwait(false)).Name
                : first == live.Ended ? (await live.Ended.ConfigureAwait(false)).Name
                : first == draining ? "shutdown"
                : first == storeLost ? RecordingUnavailable
                : "recording-failure";
            string notice = first == live.Ended ? live.Notice : reason switch
            {
                "idle-timeout" => "session closed: idle for too long",
                "max-session" => "session closed: maximum session time reached",
                "shutdown" => "session closed: the bastion is shutting down",
                RecordingUnavailable => "session closed: the recording store is unavailable, so the session cannot continue (strict mode)",
                _ => "session closed: the recording could not be written, so the session cannot continue",
            };
            await WriteNoticeAsync(notice).ConfigureAwait(false);
            await FinishChannelAsync(reason == "shutdown" ? 0u : 1u).ConfigureAwait(false);
        }
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await pumps.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or SshConnectionLostException or SshChannelClosedException or IOException)
        {
        }
        return reason;
    }

    private async Task<string> EndUnrecordedAsync()
    {
        await WriteNoticeAsync("session closed: the recording could not be written, so the session cannot continue").ConfigureAwait(false);
        await FinishChannelAsync(1).ConfigureAwait(false);
        return "recording-failure";
    }

    private async Task ForwardExitAsync(SshExitResult exit)
    {
        try
        {
            if (exit.ExitStatus is { } code) await _channel.SendRequestAsync(new ExitStatusRequest(code)).ConfigureAwait(false);
            else if (exit.ExitSignal is { } signal)
                await _channel.SendRequestAsync(new ExitSignalRequest(signal, exit.CoreDumped, exit.ErrorMessage ?? "")).ConfigureAwait(false);
            await _channel.SendEofAsync().ConfigureAwait(false);
            await _channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshConnectionLostException or SshChannelClosedException or IOException)
        {
        }
    }

    private AsciicastHeader Header(string user, TargetRecord target, DateTimeOffset start)
    {
        var (columns, rows) = _size;
        var env = new Dictionary<string, string> { ["TERM"] = _pty?.Term ?? "dumb", ["SHELL"] = "/bin/sh" };
        return new AsciicastHeader((int)Math.Clamp(columns, 1, 1000), (int)Math.Clamp(rows, 1, 1000))
        {
            Timestamp = start.ToUnixTimeSeconds(),
            Title = $"{user}@{target.Name}",
            Env = env,
        };
    }

    private static string DescribeDialFailure(TargetRecord target, string login, Exception ex) => ex switch
    {
        SshHostKeyException hk => $"cannot connect to {target.Name}: its host key changed (expected {string.Join(" or ", hk.ExpectedFingerprints)}, got {hk.PresentedFingerprint}); refusing",
        ClientAuthenticationException => $"cannot connect to {target.Name}: login as {login} refused by the target",
        SshConnectException or IOException or TimeoutException => $"cannot connect to {target.Name} ({target.Host}:{target.Port}): target unreachable",
        _ => $"cannot connect to {target.Name}: {ex.Message}",
    };

    private Task WriteAsync(string text) => _channel.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

    /// <summary>A bastion notice on the operator's terminal (stderr without a pty, so scripts can tell it from output).</summary>
    private async Task WriteNoticeAsync(string message)
    {
        var bytes = Encoding.UTF8.GetBytes($"\r\n[fumidai] {message}\r\n");
        try
        {
            if (_pty is not null) await _channel.WriteAsync(bytes).ConfigureAwait(false);
            else await _channel.WriteExtendedAsync(bytes).ConfigureAwait(false);
            _recorder?.Marker("notice: " + message);
        }
        catch (Exception ex) when (ex is SshConnectionLostException or SshChannelClosedException or IOException)
        {
        }
    }

    /// <summary>Ends the operator's channel with a one-line reason and an exit status.</summary>
    private async Task FailAsync(string message, uint exitStatus)
    {
        try
        {
            var bytes = Encoding.UTF8.GetBytes($"fumidai: {message}\r\n");
            await _channel.WriteExtendedAsync(bytes).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshConnectionLostException or SshChannelClosedException or IOException)
        {
        }
        await FinishChannelAsync(exitStatus).ConfigureAwait(false);
    }

    private async Task FinishChannelAsync(uint exitStatus)
    {
        try
        {
            await _channel.SendRequestAsync(new ExitStatusRequest(exitStatus)).ConfigureAwait(false);
            await _channel.SendEofAsync().ConfigureAwait(false);
            await _channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshConnectionLostException or SshChannelClosedException or IOException)
        {
        }
    }
}
