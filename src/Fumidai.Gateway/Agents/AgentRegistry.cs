using System.Collections.Concurrent;
using Fumidai.Agent;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Keys;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Agents;

/// <summary>
/// The agents connected to this node, one link per target (a newer connection replaces an older one); opens forward channels
/// for the target dialer, and once a second drops links whose agent was revoked or replaced and records that they are alive.
/// </summary>
public sealed class AgentRegistry(MetadataStore store, IAuditLog audit, string node, ILogger logger, TimeProvider? time = null) : IAgentTunnels
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SeenInterval = TimeSpan.FromSeconds(15);
    private readonly ConcurrentDictionary<string, AgentLink> _links = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Interval of keepalives to each agent; zero for none. Three unanswered drop the link.</summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    private const int KeepaliveCountMax = 3;

    public string Node => node;

    public int Count => _links.Count;

    public DateTimeOffset Now => _time.GetUtcNow();

    public bool IsConnected(string target) => _links.ContainsKey(target);

    public async Task<AgentForward> OpenForwardAsync(string target, CancellationToken cancellationToken)
    {
        if (!_links.TryGetValue(target, out var link))
            throw new SshConnectException(target, 0, $"the agent of {target} is not connected to this node ({node})");
        try
        {
            var channel = await link.Connection.OpenChannelAsync(new ChannelOpenRequest(AgentProtocol.ForwardChannel), cancellationToken).ConfigureAwait(false);
            return new AgentForward(new SshChannelStream(channel), link);
        }
        catch (Exception ex) when (ex is SshChannelOpenException or SshConnectionLostException or IOException or ObjectDisposedException)
        {
            throw new SshConnectException(target, 0, "its agent could not open a connection to the target's sshd: " + ex.Message, ex);
        }
    }

    /// <summary>Adds a link; an older link of the same target is closed (the same agent reconnecting before its old connection died).</summary>
    public async Task AddAsync(AgentLink link, CancellationToken cancellationToken)
    {
        AgentLink? previous = null;
        _links.AddOrUpdate(link.Target, link, (_, old) =>
        {
            previous = old;
            return link;
        });
        await store.AgentConnectedAsync(link.Target, node, link.Version, link.Since, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("agent {Target} connected from {Source} (version {Version}, key {Fingerprint})", link.Target, link.Source, link.Version,
            link.Key.Fingerprint);
        await audit.RecordAsync(AuditTypes.AgentConnect, AuditOutcome.Success, source: link.Source, target: link.Target,
            details: new Dictionary<string, string> { ["node"] = node, ["version"] = link.Version, ["key"] = link.Key.Fingerprint },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (previous is not null) await CloseAsync(previous, "replaced by a newer connection of the same agent").ConfigureAwait(false);
    }

    /// <summary>Removes a link whose connection ended (only if it is still the current one) and audits the disconnect.</summary>
    public async Task RemoveAsync(AgentLink link, string? error)
    {
        bool current = _links.TryRemove(new KeyValuePair<string, AgentLink>(link.Target, link));
        string reason = link.ClosedBecause ?? error ?? "the agent closed the connection";
        if (current) await store.AgentDisconnectedAsync(link.Target, node, CancellationToken.None).ConfigureAwait(false);
        logger.LogInformation("agent {Target} disconnected: {Reason}", link.Target, reason);
        await audit.RecordAsync(AuditTypes.AgentDisconnect, AuditOutcome.Info, source: link.Source, target: link.Target,
            details: new Dictionary<string, string> { ["node"] = node, ["reason"] = reason, ["connected_seconds"] =
                ((long)(Now - link.Since).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            cancellationToken: CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task CloseAsync(AgentLink link, string why)
    {
        link.ClosedBecause = why;
        await link.Connection.Transport.DisconnectAsync(DisconnectReason.ByApplication, why).ConfigureAwait(false);
    }

    /// <summary>Forgets this node's connections left in the store by a previous run, then checks links until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var lastSeen = Now;
        var lastKeepalive = Now;
        try
        {
            await store.AgentDisconnectedAsync(null, node, cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(CheckInterval, _time, cancellationToken).ConfigureAwait(false);
                if (_links.IsEmpty) continue;
                if (KeepaliveInterval > TimeSpan.Zero && Now - lastKeepalive >= KeepaliveInterval)
                {
                    lastKeepalive = Now;
                    await KeepAliveAsync(cancellationToken).ConfigureAwait(false);
                }
                try
                {
                    await CheckAsync(cancellationToken).ConfigureAwait(false);
                    if (Now - lastSeen >= SeenInterval)
                    {
                        lastSeen = Now;
                        foreach (var link in _links.Values) await store.AgentSeenAsync(link.Target, node, lastSeen, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (System.Data.Common.DbException ex)
                {
                    logger.LogWarning("cannot check agent links: {Message}", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Drops links whose agent left the last keepalives unanswered (its TCP may look healthy: a hung process, a host gone
    /// behind a NAT that still answers), then sends each the next one without waiting for its answer.
    /// </summary>
    private async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        foreach (var link in _links.Values)
        {
            if (link.KeepaliveSent() > KeepaliveCountMax)
            {
                string why = $"no answer to {KeepaliveCountMax} keepalives";
                logger.LogWarning("dropping agent {Target}: {Reason}", link.Target, why);
                await CloseAsync(link, why).ConfigureAwait(false);
                continue;
            }
            _ = SendKeepaliveAsync(link, cancellationToken);
        }
    }

    private static async Task SendKeepaliveAsync(AgentLink link, CancellationToken cancellationToken)
    {
        try
        {
            await link.Connection.SendGlobalRequestAsync("keepalive@openssh.com", wantReply: true, ReadOnlyMemory<byte>.Empty, cancellationToken)
                .ConfigureAwait(false);
            link.KeepaliveAnswered();
        }
        catch (Exception ex) when (ex is OperationCanceledException or SshConnectionLostException or IOException or ObjectDisposedException)
        {
        }
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        var records = (await store.ListAgentTargetsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.Target, StringComparer.Ordinal);
        foreach (var link in _links.Values)
        {
            string? why = !records.TryGetValue(link.Target, out var record) ? "the target was removed"
                : record.Revoked is not null ? "the agent was revoked"
                : record.AgentKey is null || !SshPublicKey.ParseOpenSsh(record.AgentKey).BlobEquals(link.Key) ? "the agent's key is no longer bound to the target"
                : null;
            if (why is null) continue;
            logger.LogWarning("dropping agent {Target}: {Reason}", link.Target, why);
            await CloseAsync(link, why).ConfigureAwait(false);
        }
    }
}
