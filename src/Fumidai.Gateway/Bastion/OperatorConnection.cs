using System.Collections.Concurrent;
using System.Text;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Connection.Requests;
using Fumidai.Ssh.Server;

namespace Fumidai.Gateway.Bastion;

/// <summary>
/// An authenticated operator's connection: session channels, and port forwarding through the target when a role allows
/// it. The user is read again on every channel open and every shell/exec/subsystem request, and the connection itself
/// is cut when idle or too old, or when revocation ends it.
/// </summary>
public sealed class OperatorConnection : IChannelOpenHandler
{
    private readonly BastionContext _context;
    private readonly SshServerSession _session;
    private readonly string _source;
    private readonly IdleMonitor _limits;
    private BastionLogin _login;
    private readonly OperatorForwards _forwards;
    private int _running;
    private int _ending;
    private int _targetAllowed;

    public OperatorConnection(BastionContext context, SshServerSession session)
    {
        _context = context;
        _session = session;
        _login = (BastionLogin)session.User.State!;
        _source = BastionAuthenticator.SourceOf(session.RemoteEndPoint);
        LoggedIn = context.Time.GetUtcNow();
        SourceKey = Fumidai.Ssh.Server.SourceKey.Of(session.RemoteEndPoint);
        // The connection is idle only while no session runs on it: sessions have their own limits, forwards do not keep it alive.
        _limits = new IdleMonitor(context.IdleTimeout, context.MaxSession, context.Time) { Busy = () => Volatile.Read(ref _running) > 0 };
        _forwards = new OperatorForwards(context, _source, _limits.Touch) { RemoteEndPoint = session.RemoteEndPoint };
        if (session.Connection is { } connection)
        {
            connection.GlobalRequestHandler = OnGlobalRequestAsync;
            // The target connection that carries forwards lives as long as the operator's.
            connection.ShutdownToken.Register(() => _ = _forwards.DisposeAsync().AsTask());
            context.Sessions.Track(connection, this);
            connection.ShutdownToken.Register(() => context.Sessions.Untrack(connection));
            _ = WatchLimitsAsync(connection.ShutdownToken);
        }
    }

    public string UserName => _login.User.Name;

    /// <summary>The login name's parts (user, target, login) as the operator gave them.</summary>
    public LoginName Name => _login.Name;

    /// <summary>When authentication completed: revocations of the user made after this do not concern the connection.</summary>
    public DateTimeOffset LoggedIn { get; }

    public async ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request, CancellationToken cancellationToken)
    {
        if (_context.Draining.IsCancellationRequested)
            return ChannelOpenDecision.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "the bastion is shutting down");
        // A session channel does nothing until its shell, exec or subsystem request, and that request reads the user again
        // (with the policy, in one round trip): reading her here as well would only add a round trip to every session.
        if (request.ChannelType != "session" && await CurrentLoginAsync(request.ChannelType, cancellationToken).ConfigureAwait(false) is null)
            return ChannelOpenDecision.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "access revoked");
        if (request.ChannelType == "session")
        {
            return ChannelOpenDecision.Accept(channel =>
            {
                var session = new OperatorSession(_context, _login, _source, channel);
                channel.RequestHandler = (channelRequest, ct) => HandleSessionRequestAsync(session, channel, channelRequest, ct);
            });
        }
        if (request is TcpipChannelOpenRequest { ChannelType: "direct-tcpip" } tcp)
            return await _forwards.OpenAsync(tcp, _login, cancellationToken).ConfigureAwait(false);
        return await _forwards.DenyAsync(_login, request.ChannelType, null, "unsupported channel type", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Re-reads the user before a session starts (a multiplexed connection may outlive her access); counts running sessions.</summary>
    private async ValueTask<bool> HandleSessionRequestAsync(OperatorSession session, SshChannel channel, ChannelRequest request,
        CancellationToken cancellationToken)
    {
        bool starts = request is ShellRequest or ExecRequest or SubsystemRequest;
        if (starts)
        {
            var start = await _context.ReadSessionStartAsync(_login.User.Name, SourceKey, cancellationToken).ConfigureAwait(false);
            if (await CheckedLoginAsync(request.Type, start.Login, cancellationToken).ConfigureAwait(false) is not { } current)
            {
                await TellAsync(channel, "fumidai: access revoked\r\n").ConfigureAwait(false);
                return false;
            }
            session.Refresh(current, start);
        }
        bool accepted = await session.HandleRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (starts && accepted)
        {
            Interlocked.Increment(ref _running);
            _ = channel.Closed.ContinueWith(_ =>
            {
                Interlocked.Decrement(ref _running);
                _limits.Touch();
            }, TaskScheduler.Default);
        }
        return accepted;
    }

    /// <summary>The user as stored now, or null (audited) when the account is gone, disabled, locked or revoked since this login.</summary>
    public async Task<BastionLogin?> CurrentLoginAsync(string request, CancellationToken cancellationToken)
    {
        var facts = await _context.LoginFacts.GetLoginFactsAsync(_login.User.Name, SourceKey, _context.Time.GetUtcNow(), cancellationToken)
            .ConfigureAwait(false);
        return await CheckedLoginAsync(request, facts, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The login with the user as in <paramref name="facts"/>, or null (audited) when they refuse her.</summary>
    private async Task<BastionLogin?> CheckedLoginAsync(string request, LoginFacts facts, CancellationToken cancellationToken)
    {
        string name = _login.User.Name;
        var (user, locked, revoked) = (facts.User, facts.LockedUntil is not null, facts.Revoked);
        if (Refusal(user, locked, revoked) is { } refusal)
        {
            await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, name, _source, _login.Name.Target,
                new Dictionary<string, string> { ["request"] = request, ["reason"] = "access revoked: " + refusal }, cancellationToken).ConfigureAwait(false);
            return null;
        }
        var current = _login with { User = user! };
        _login = current;
        return current;
    }

    /// <summary>What failed logins are counted by for this connection's address (an IPv4 address or an IPv6 /64).</summary>
    public string SourceKey { get; }

    /// <summary>Whether the user is locked from where this connection comes from, or from everywhere.</summary>
    public bool IsLocked(IReadOnlySet<(string User, string Source)> locks) =>
        locks.Contains((UserName, SourceKey)) || locks.Contains((UserName, MetadataStore.AllSources));

    /// <summary>
    /// Whether the target in the login name is no longer the user's. Only a connection that was once allowed there loses
    /// it: one that never was (a typo, a target outside her roles) is answered by its sessions' own refusal instead.
    /// </summary>
    public bool LostTarget(bool allowedNow)
    {
        if (allowedNow) Volatile.Write(ref _targetAllowed, 1);
        return !allowedNow && Volatile.Read(ref _targetAllowed) == 1;
    }

    /// <summary>Why the account may no longer use this connection, or null.</summary>
    public string? Refusal(UserRecord? user, bool locked, DateTimeOffset? revokedAt) =>
        user is null ? "the account was removed"
        : user.Disabled ? "the account is disabled"
        : locked ? "the account is locked"
        : revokedAt >= LoggedIn ? "the account's access was revoked"
        : null;

    /// <summary>Ends the sessions (with a notice), the forwards, then the connection itself; audited as <c>connection.end</c>.</summary>
    public async Task EndAsync(SessionEndReason reason, string why)
    {
        if (Interlocked.Exchange(ref _ending, 1) == 1 || _session.Connection is not { } connection) return;
        var sessions = _context.Sessions.SessionsOn(connection);
        foreach (var session in sessions) session.End(reason, "session closed: " + why);
        try
        {
            // Each session writes its notice and its end first; the disconnect would cut them short. They end on their own,
            // so this only bounds how long a stuck one keeps the connection.
            await Task.WhenAll(sessions.Select(s => s.Finished)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        _forwards.StopAll(reason.Name);
        await _context.Audit.RecordAsync(AuditTypes.ConnectionEnd, reason == SessionEndReason.Revoked ? AuditOutcome.Failure : AuditOutcome.Info, UserName, _source,
            _login.Name.Target, new Dictionary<string, string>
            {
                ["reason"] = reason.Name,
                ["detail"] = why,
                ["duration_seconds"] = ((long)(_context.Time.GetUtcNow() - LoggedIn).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            }).ConfigureAwait(false);
        await _session.Transport.DisconnectAsync(DisconnectReason.ByApplication, "connection closed: " + why).ConfigureAwait(false);
    }

    /// <summary>Stops the forwards that the current user and policy no longer allow.</summary>
    public void StopForwardsDenied(UserRecord user, AccessPolicy policy, IReadOnlyDictionary<string, Targets.TargetRecord> targets) =>
        _forwards.StopDenied(user, policy, targets);

    private async Task WatchLimitsAsync(CancellationToken shutdown)
    {
        SessionEndReason reason;
        try
        {
            reason = await _limits.WaitAsync(_ => Task.CompletedTask, shutdown).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await EndAsync(reason, reason == SessionEndReason.IdleTimeout ? "idle for too long" : "maximum session time reached").ConfigureAwait(false);
    }

    private static async Task TellAsync(SshChannel channel, string text)
    {
        try
        {
            await channel.WriteExtendedAsync(Encoding.UTF8.GetBytes(text)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshConnectionLostException or SshChannelClosedException or InvalidOperationException or IOException)
        {
        }
    }

    private async ValueTask<bool> OnGlobalRequestAsync(GlobalRequest request, CancellationToken cancellationToken)
    {
        // tcpip-forward (-R) would make the bastion listen for the world: refused and audited, whatever the role.
        await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, _login.User.Name, _source, _login.Name.Target,
            new Dictionary<string, string> { ["request"] = request.Name }, cancellationToken).ConfigureAwait(false);
        return false;
    }
}
