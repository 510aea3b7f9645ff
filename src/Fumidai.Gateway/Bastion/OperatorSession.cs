using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion.Session;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Connection.Requests;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Bastion;

/// <summary>
/// One operator session channel: takes its requests (pty, env, then shell, exec or subsystem), and on the start request
/// chooses the target and runs the recorded session; resizes, signals and BREAK go on to the target while it runs.
/// </summary>
/// <remarks>
/// The parts: <see cref="SessionSetup"/> keeps what was asked before the start, <see cref="TargetSelection"/> decides
/// where the session goes, <see cref="RecordedSession"/> owns the record of it, and <see cref="RelayRun"/> relays until it ends.
/// </remarks>
public sealed class OperatorSession
{
    private readonly BastionContext _context;
    private BastionLogin _login;
    private readonly string _source;
    private readonly SshChannel _channel;
    private readonly SessionSetup _setup = new();
    private readonly OperatorTerminal _terminal;
    private bool _started;

    public OperatorSession(BastionContext context, BastionLogin login, string source, SshChannel channel)
    {
        _context = context;
        _login = login;
        _source = source;
        _channel = channel;
        _terminal = new OperatorTerminal(channel);
    }

    // The roles and targets read with the user at the start request: the target is chosen by them, without reading again.
    private SessionStartFacts? _startFacts;

    /// <summary>The user as just re-read from the store, before a shell/exec/subsystem request is handled, and the policy read with her.</summary>
    public void Refresh(BastionLogin login, SessionStartFacts? startFacts = null)
    {
        _login = login;
        _startFacts = startFacts;
    }

    /// <summary>Answers the operator's channel requests (wired as <see cref="SshChannel.RequestHandler"/>).</summary>
    public async ValueTask<bool> HandleRequestAsync(ChannelRequest request, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case PtyRequest pty when !_started:
                _setup.SetPty(pty);
                _terminal.HasPty = true;
                return true;
            case EnvRequest env when !_started:
                return _setup.AddEnvironment(env);
            case WindowChangeRequest resize:
                _terminal.Recorder?.Resize((int)resize.Columns, (int)resize.Rows);
                if (_setup.Resize(resize.Columns, resize.Rows) is { } running)
                    await running.ChangeWindowAsync(resize.Columns, resize.Rows, resize.WidthPixels, resize.HeightPixels, cancellationToken).ConfigureAwait(false);
                return true;
            case SignalRequest or BreakRequest when _setup.Target is { } target:
                // Signals and BREAK are the operator's to send: pass them on unchanged.
                await target.Channel.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
                return true;
            case ShellRequest when !_started:
                Start(ChannelKinds.Shell, null);
                return true;
            case ExecRequest exec when !_started && LoginCertificateCommand.Applies(_context, _login, exec.Command):
                _started = true;
                _channel.RunAfterReply(() => new LoginCertificateCommand(_context, _login, _source, _terminal).RunAsync());
                return true;
            case ExecRequest exec when !_started:
                // scp only when the whole command is an scp server invocation; any other text is an exec, checked and recorded as one.
                Start(ScpCommandLine.TryParse(exec.Command, out _) ? ChannelKinds.Scp : ChannelKinds.Exec, exec.Command);
                return true;
            case SubsystemRequest subsystem when !_started:
                Start(subsystem.Name == "sftp" ? ChannelKinds.Sftp : "subsystem:" + subsystem.Name, subsystem.Name);
                return true;
            case ForwardingChannelRequest forwarding:
                await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, _login.User.Name, _source, _login.Name.Target,
                    new Dictionary<string, string> { ["request"] = forwarding.Type }, cancellationToken).ConfigureAwait(false);
                return false;
            default:
                return false;
        }
    }

    private void Start(string kind, string? command)
    {
        _started = true;
        // The request's success reply must leave before any output, so the run starts once it has been sent.
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _context.Sessions.Add($"{_login.User.Name}/{_channel.LocalId}/{Guid.NewGuid():N}", finished.Task);
        _channel.RunAfterReply(async () =>
        {
            try
            {
                await RunAsync(kind, command).ConfigureAwait(false);
            }
            finally
            {
                finished.TrySetResult();
            }
        });
    }

    private async Task RunAsync(string kind, string? command)
    {
        var login = _login;
        try
        {
            var selected = await new TargetSelection(_context, login, _source, _terminal, _setup, kind, _startFacts).ChooseAsync(_channel.ClosingToken).ConfigureAwait(false);
            if (selected is null) return;
            await new RecordedSession(_context, login, _source, _terminal, _setup, selected, kind, command).RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ChannelRelay.IsChannelGone(ex))
        {
            // Before a session row exists (menu, policy): nothing to record but the debug line.
            _context.Logger.LogDebug("session request of {User} ended early: {Message}", login.User.Name, ex.Message);
        }
        catch (Exception ex)
        {
            _context.Logger.LogError(ex, "session request of {User} failed", login.User.Name);
            await _terminal.FailAsync("internal error; the incident was logged", 1).ConfigureAwait(false);
        }
    }
}
