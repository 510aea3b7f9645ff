using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh;

/// <summary>The limits one SSH connection runs under; the server applies all of them, a client the channel ones.</summary>
/// <remarks>The defaults follow OpenSSH where it has a counterpart (window, MaxAuthTries, LoginGraceTime, MaxStartups).</remarks>
public sealed record SshConnectionLimits
{
    /// <summary>The defaults.</summary>
    public static SshConnectionLimits Default { get; } = new();

    /// <summary>Channels open at once on one connection; further CHANNEL_OPENs are refused with resource shortage.</summary>
    public int MaxChannels { get; init; } = 64;

    /// <summary>Receive window granted per channel (OpenSSH uses 2 MiB for sessions).</summary>
    public uint WindowSize { get; init; } = 2 * 1024 * 1024;

    /// <summary>Largest channel data payload we accept in one packet.</summary>
    public uint MaxPacket { get; init; } = 64 * 1024;

    /// <summary>
    /// Requests (global, channel, channel opens) being handled or waiting for their reply to be sent. Beyond this the
    /// dispatch loop stops reading, so a peer that floods requests and never reads the replies meets TCP backpressure
    /// instead of growing our memory without bound (OpenSSH likewise stops reading while its output backs up).
    /// </summary>
    public int MaxPendingRequests { get; init; } = 256;

    /// <summary>Server: failed authentication attempts (excluding <c>none</c>) before the connection is closed.</summary>
    public int MaxAuthAttempts { get; init; } = 6;

    /// <summary>Server: time from TCP accept to USERAUTH_SUCCESS (OpenSSH LoginGraceTime).</summary>
    public TimeSpan LoginGraceTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Server: connections not yet authenticated at once; further ones wait or are refused (OpenSSH MaxStartups).</summary>
    public int MaxUnauthenticatedConnections { get; init; } = 100;

    /// <summary>
    /// Server: connections that may wait for an unauthenticated slot when all are taken; they wait at most the login grace
    /// time, counted from their accept. Past this many waiting, newcomers are refused. 0 refuses as soon as the pool is full.
    /// </summary>
    public int MaxQueuedConnections { get; init; } = 1000;

    /// <summary>Throws when a limit is out of range, so a bad configuration fails at start and not on the first peer.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxChannels, 1, nameof(MaxChannels));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPacket, 1024u, nameof(MaxPacket));
        // Headroom for the channel data header and the packet framing around the payload.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxPacket, (uint)(SshLimits.MaxPacketLength - 1024), nameof(MaxPacket));
        ArgumentOutOfRangeException.ThrowIfLessThan(WindowSize, MaxPacket, nameof(WindowSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingRequests, 1, nameof(MaxPendingRequests));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAuthAttempts, 1, nameof(MaxAuthAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(LoginGraceTime, TimeSpan.Zero, nameof(LoginGraceTime));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxUnauthenticatedConnections, 1, nameof(MaxUnauthenticatedConnections));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxQueuedConnections, nameof(MaxQueuedConnections));
    }
}
