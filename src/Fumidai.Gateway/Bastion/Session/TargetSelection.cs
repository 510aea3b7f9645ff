using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh.Wire;

namespace Fumidai.Gateway.Bastion.Session;

/// <summary>Decides where a session goes: the target named in the login, or one chosen at the menu; then checks the policy.</summary>
/// <remarks>
/// The audit keeps the precise reason for a refusal; the operator sees one line for a target that does not exist and for
/// one no role of hers grants, so the answer does not tell her which targets exist.
/// </remarks>
internal sealed class TargetSelection
{
    private const int MaxMenuAttempts = 5;
    private readonly BastionContext _context;
    private readonly BastionLogin _login;
    private readonly string _source;
    private readonly OperatorTerminal _terminal;
    private readonly SessionSetup _setup;
    private readonly string _kind;
    private readonly SessionStartFacts? _read;

    /// <param name="read">The roles and targets as read with the user at the start request; null: read them here.</param>
    public TargetSelection(BastionContext context, BastionLogin login, string source, OperatorTerminal terminal, SessionSetup setup, string kind,
        SessionStartFacts? read = null)
    {
        _read = read;
        _context = context;
        _login = login;
        _source = source;
        _terminal = terminal;
        _setup = setup;
        _kind = kind;
    }

    /// <summary>The allowed target, or null once the operator was told why not and the channel ended.</summary>
    public async Task<SelectedTarget?> ChooseAsync(CancellationToken cancellationToken)
    {
        var policy = _read is { } read ? new AccessPolicy(read.Roles) : await _context.LoadPolicyAsync(cancellationToken).ConfigureAwait(false);
        var targets = _read?.Targets ?? await _context.Access.ListTargetsAsync(cancellationToken).ConfigureAwait(false);
        var user = _login.User;
        if (_login.Name.Target is { } named)
        {
            var target = targets.FirstOrDefault(t => t.Name == named);
            string? login = target is null ? _login.Name.Login : _login.Name.Login ?? DefaultLogin(policy, target);
            if (target is not null && policy.Check(user, target, login!, _kind) is null) return new SelectedTarget(target, login!, policy);
            await _terminal.FailAsync(await DenyAsync(policy, named, target, login).ConfigureAwait(false), 1).ConfigureAwait(false);
            return null;
        }
        var reachable = policy.Reachable(user, targets);
        if (_kind != ChannelKinds.Shell || _setup.Pty is null)
        {
            await _terminal.FailAsync($"no target given: connect as {user.Name}:TARGET@bastion (targets: {string.Join(", ", reachable.Select(r => r.Target.Name))})", 2)
                .ConfigureAwait(false);
            return null;
        }
        return await MenuAsync(policy, targets, reachable, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SelectedTarget?> MenuAsync(AccessPolicy policy, IReadOnlyList<TargetRecord> targets,
        IReadOnlyList<(TargetRecord Target, IReadOnlyList<string> Logins)> reachable, CancellationToken cancellationToken)
    {
        await _terminal.WriteAsync(TargetMenu.Render(_login.User.Name, reachable)).ConfigureAwait(false);
        if (reachable.Count == 0)
        {
            await _terminal.FinishAsync(1).ConfigureAwait(false);
            return null;
        }
        var idle = new IdleMonitor(_context.IdleTimeout, null, _context.Time);
        for (int attempt = 0; attempt < MaxMenuAttempts; attempt++)
        {
            await _terminal.WriteAsync("Target (name, LOGIN@name or number; Ctrl-C to quit): ").ConfigureAwait(false);
            using var idleLimit = new CancellationTokenSource(_context.IdleTimeout, _context.Time);
            using var menuLimits = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _context.Draining, idleLimit.Token);
            string? line;
            try
            {
                line = await TerminalLineReader.ReadLineAsync(_terminal.Channel, idle, _setup.TypedAhead, menuLimits.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The menu's own limits: left idle, or the bastion is draining. Say so and close, rather than leave the connection hanging.
                bool draining = _context.Draining.IsCancellationRequested;
                await _terminal.NoticeAsync(draining ? "session closed: the bastion is shutting down" : "session closed: idle for too long").ConfigureAwait(false);
                await _terminal.FinishAsync(draining ? RelayRun.ShutdownExitStatus : 1u).ConfigureAwait(false);
                return null;
            }
            if (line is null) break;
            if (line.Length == 0) continue;
            // A choice that is not allowed asks again (within the bounded attempts) rather than ending the session.
            if (TargetMenu.Choose(line, reachable) is { } chosen)
            {
                string login = chosen.Login ?? DefaultLogin(policy, chosen.Target);
                if (policy.Check(_login.User, chosen.Target, login, _kind) is null) return new SelectedTarget(chosen.Target, login, policy);
                await _terminal.WriteAsync(await DenyAsync(policy, chosen.Target.Name, chosen.Target, login).ConfigureAwait(false) + "\r\n").ConfigureAwait(false);
                continue;
            }
            var (typedTarget, typedLogin) = TargetMenu.Split(line);
            var named = targets.FirstOrDefault(t => t.Name == typedTarget);
            await _terminal.WriteAsync(await DenyAsync(policy, typedTarget, named, typedLogin).ConfigureAwait(false) + "\r\n").ConfigureAwait(false);
        }
        await _terminal.FinishAsync(1).ConfigureAwait(false);
        return null;
    }

    /// <summary>Audits the refusal with its precise reason and returns the line the operator sees.</summary>
    private async Task<string> DenyAsync(AccessPolicy policy, string typedName, TargetRecord? target, string? login)
    {
        // What was typed at the menu is the operator's text: escaped before it reaches the audit or her terminal.
        string targetName = ControlText.Escape(typedName);
        string? denied = TargetMenu.Refusal(policy, _login.User, target, login, _kind);
        var details = new Dictionary<string, string> { ["kind"] = _kind, ["reason"] = denied ?? "unknown target" };
        if (login is not null) details["login"] = login;
        await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, _login.User.Name, _source, targetName, details,
            CancellationToken.None).ConfigureAwait(false);
        return TargetMenu.RefusalLine(policy, _login.User, target, targetName, denied);
    }

    private string DefaultLogin(AccessPolicy policy, TargetRecord target) =>
        policy.LoginsFor(_login.User, target) is [var allowed, ..] ? allowed : target.Logins is [var listed, ..] ? listed : "root";
}
