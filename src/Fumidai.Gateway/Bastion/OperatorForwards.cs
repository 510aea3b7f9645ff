using System.Collections.Concurrent;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Connection;

namespace Fumidai.Gateway.Bastion;

/// <summary>An operator connection's port forwards: each checked against the policy, carried by one target connection, audited.</summary>
/// <remarks>All forwards of a connection share one connection to the target, opened on the first and kept while the operator's lives.</remarks>
public sealed class OperatorForwards : IAsyncDisposable
{
    private readonly BastionContext _context;
    private readonly string _source;
    private readonly Action _operatorActivity;
    private readonly SemaphoreSlim _dialLock = new(1, 1);
    private readonly ConcurrentDictionary<PortForward, byte> _forwards = new();
    private SshClient? _forwardClient;

    /// <param name="operatorActivity">Called on bytes from the operator: forwarding traffic keeps the connection from idling out.</param>
    public OperatorForwards(BastionContext context, string source, Action operatorActivity)
    {
        _context = context;
        _source = source;
        _operatorActivity = operatorActivity;
    }

    /// <summary>-L, -D and -W: allowed only by a role naming port-forward for this target and login; carried by the target.</summary>
    public async Task<ChannelOpenDecision> OpenAsync(TcpipChannelOpenRequest tcp, BastionLogin current, CancellationToken cancellationToken)
    {
        string destination = $"{tcp.Host}:{tcp.Port}";
        // ssh -J logs in to the bastion itself (alice@bastion); a forward from a login that names a target stays a forward through it.
        if (_context.ProxyJump is { } jump && current.Name.Target is null
            && await ProxyJump.ProxyJumpHost.FindTargetsAsync(_context.Access, tcp.Host, tcp.Port, cancellationToken).ConfigureAwait(false) is [var firstCandidate, ..] candidates)
        {
            var reachable = await _context.LoadPolicyAsync(cancellationToken).ConfigureAwait(false);
            var jumpTarget = candidates.FirstOrDefault(t => reachable.RolesFor(current.User, t.Name).Count > 0) ?? firstCandidate;
            return await JumpAsync(jump, current, jumpTarget, destination, cancellationToken).ConfigureAwait(false);
        }
        if (current.Name.Target is not { } targetName)
            return await DenyAsync(current, "direct-tcpip", destination, "no target in the login name", cancellationToken).ConfigureAwait(false);
        var target = await _context.Access.GetTargetAsync(targetName, cancellationToken).ConfigureAwait(false);
        var policy = await _context.LoadPolicyAsync(cancellationToken).ConfigureAwait(false);
        var user = current.User;
        // A target that does not exist and one she has no role for get the same answer, as at the menu.
        if (target is null || policy.RolesFor(user, target.Name).Count == 0)
        {
            return await DenyAsync(current, "direct-tcpip", destination, target is null ? "unknown target" : $"no role grants access to {target.Name}", cancellationToken,
                TargetMenu.RefusalLine(policy, user, target, targetName, null)).ConfigureAwait(false);
        }
        string login = current.Name.Login ?? (policy.LoginsFor(user, target) is [var first, ..] ? first : "");
        if (policy.Check(user, target, login, ChannelKinds.PortForward) is { } denied)
            return await DenyAsync(current, "direct-tcpip", destination, denied, cancellationToken).ConfigureAwait(false);
        SshChannel targetChannel;
        try
        {
            var client = await ClientAsync(target, login, current.User.Name, cancellationToken).ConfigureAwait(false);
            targetChannel = await client.OpenDirectTcpipAsync(tcp.Host, (int)tcp.Port, tcp.OriginatorAddress, (int)tcp.OriginatorPort, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshChannelOpenException or SshConnectException or SshHostKeyException or ClientAuthenticationException
            or SshProtocolException or SshConnectionLostException or IOException)
        {
            await _context.Audit.RecordAsync(AuditTypes.PortForward, AuditOutcome.Failure, user.Name, _source, target.Name,
                new Dictionary<string, string> { ["destination"] = destination, ["error"] = ex.Message }, cancellationToken).ConfigureAwait(false);
            return ChannelOpenDecision.Reject(ChannelOpenFailureReason.ConnectFailed, $"{destination} via {target.Name}: connection failed");
        }
        await _context.Audit.RecordAsync(AuditTypes.PortForward, AuditOutcome.Success, user.Name, _source, target.Name,
            new Dictionary<string, string> { ["destination"] = destination, ["login"] = login, ["state"] = "open" }, cancellationToken).ConfigureAwait(false);
        var limits = new IdleMonitor(policy.IdleTimeoutFor(user, target, login, _context.IdleTimeout),
            policy.MaxSessionFor(user, target, login, _context.MaxSession), _context.Time);
        return ChannelOpenDecision.Accept(channel => channel.RunAfterReply(() =>
            RunForwardAsync(new PortForward(channel, targetChannel, _context.Audit, user.Name, _source, target.Name, login, destination, limits)
            {
                OperatorActivity = _operatorActivity,
            })));
    }

    /// <summary>Where the operator's connection comes from, for the inner connection of a jump.</summary>
    public System.Net.EndPoint? RemoteEndPoint { get; init; }

    /// <summary><c>ssh -J</c> to a target: never a raw tunnel; the bastion ends the inner SSH itself and records its sessions.</summary>
    private async Task<ChannelOpenDecision> JumpAsync(ProxyJump.ProxyJumpHost jump, BastionLogin current, TargetRecord target, string destination,
        CancellationToken cancellationToken)
    {
        var policy = await _context.LoadPolicyAsync(cancellationToken).ConfigureAwait(false);
        if (policy.RolesFor(current.User, target.Name).Count == 0)
        {
            return await DenyAsync(current, "direct-tcpip", destination, $"no role grants access to {target.Name}", cancellationToken,
                TargetMenu.RefusalLine(policy, current.User, target, target.Name, null)).ConfigureAwait(false);
        }
        if (current.Key is null)
            return await DenyAsync(current, "direct-tcpip", destination, "ProxyJump needs a key login (the inner login proves the same key)", cancellationToken)
                .ConfigureAwait(false);
        await _context.Audit.RecordAsync(AuditTypes.PortForward, AuditOutcome.Success, current.User.Name, _source, target.Name,
            new Dictionary<string, string> { ["destination"] = destination, ["via"] = "proxyjump", ["state"] = "open" }, cancellationToken).ConfigureAwait(false);
        return ChannelOpenDecision.Accept(channel => channel.RunAfterReply(() =>
            jump.ServeAsync(_context, channel, current, target, RemoteEndPoint, _operatorActivity)));
    }

    private async Task RunForwardAsync(PortForward forward)
    {
        _forwards[forward] = 0;
        try
        {
            await forward.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _forwards.TryRemove(forward, out _);
        }
    }

    private async Task<SshClient> ClientAsync(TargetRecord target, string login, string user, CancellationToken cancellationToken)
    {
        await _dialLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_forwardClient is { Completion.IsCompleted: false } open) return open;
            if (_forwardClient is not null) await _forwardClient.DisposeAsync().ConfigureAwait(false);
            _forwardClient = await _context.Dialer.DialAsync(target, login, user, "fwd-" + BastionContext.NewSessionId(),
                TargetUse.Forwarding, cancellationToken)
                .ConfigureAwait(false);
            return _forwardClient;
        }
        finally
        {
            _dialLock.Release();
        }
    }

    /// <summary>Refuses a channel open and audits why.</summary>
    /// <param name="shown">What the operator reads, when it must say less than the audited <paramref name="reason"/>.</param>
    public async Task<ChannelOpenDecision> DenyAsync(BastionLogin current, string request, string? destination, string reason, CancellationToken cancellationToken,
        string? shown = null)
    {
        var details = new Dictionary<string, string> { ["request"] = request, ["reason"] = reason };
        if (destination is not null) details["destination"] = destination;
        await _context.Audit.RecordAsync(AuditTypes.RequestDenied, AuditOutcome.Failure, current.User.Name, _source, current.Name.Target, details,
            cancellationToken).ConfigureAwait(false);
        return ChannelOpenDecision.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, shown ?? "port forwarding is not allowed: " + reason);
    }

    /// <summary>Stops every forward (the connection ends).</summary>
    public void StopAll(string reason)
    {
        foreach (var forward in _forwards.Keys) forward.Stop(reason);
    }

    /// <summary>Stops the forwards that the current user and policy no longer allow.</summary>
    public void StopDenied(UserRecord user, AccessPolicy policy, IReadOnlyDictionary<string, TargetRecord> targets)
    {
        foreach (var forward in _forwards.Keys)
        {
            if (!targets.TryGetValue(forward.Target, out var target) || policy.Check(user, target, forward.Login, ChannelKinds.PortForward) is not null)
                forward.Stop(Sessions.SessionEndReason.Revoked.Name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_forwardClient is { } client) await client.DisposeAsync().ConfigureAwait(false);
    }
}
