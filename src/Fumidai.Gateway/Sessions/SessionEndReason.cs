namespace Fumidai.Gateway.Sessions;

/// <summary>Why a session ended: a closed set, stored, audited and written into the recording under stable names.</summary>
/// <remarks>
/// The status shown next to it (<c>closed</c>, <c>failed</c>, <c>interrupted</c>) follows from the reason, so the two can
/// never disagree. Rows written by older versions may hold other names (<c>closed</c>, <c>recording-unavailable</c>); they
/// are read as text, and only the names here are ever written.
/// </remarks>
public sealed class SessionEndReason
{
    private static readonly Dictionary<string, SessionEndReason> ByName = new(StringComparer.Ordinal);

    /// <summary>The target's command or shell ended and its exit status (or signal) reached the operator.</summary>
    public static readonly SessionEndReason Exit = new("exit", SessionStatus.Closed);

    /// <summary>The operator's client closed the channel or lost its connection first.</summary>
    public static readonly SessionEndReason ClientClosed = new("client-closed", SessionStatus.Closed);

    /// <summary>The target closed the channel or its connection broke without an exit status.</summary>
    public static readonly SessionEndReason TargetClosed = new("target-closed", SessionStatus.Closed);

    /// <summary>No operator input for the idle limit.</summary>
    public static readonly SessionEndReason IdleTimeout = new("idle-timeout", SessionStatus.Closed);

    /// <summary>The maximum session time was reached.</summary>
    public static readonly SessionEndReason MaxSession = new("max-session", SessionStatus.Closed);

    /// <summary>The bastion shut down and the drain time ran out.</summary>
    public static readonly SessionEndReason Shutdown = new("shutdown", SessionStatus.Closed);

    /// <summary>The recording could not be written (or, in strict mode, made durable), so the session could not go on.</summary>
    public static readonly SessionEndReason RecordingFailure = new("recording-failure", SessionStatus.Failed);

    /// <summary>The target could not be reached, refused the login, or its host key changed.</summary>
    public static readonly SessionEndReason TargetFailure = new("target-failure", SessionStatus.Failed);

    /// <summary>Access ended while the session ran: user disabled, locked or removed, role or target changed.</summary>
    public static readonly SessionEndReason Revoked = new("revoked", SessionStatus.Closed);

    /// <summary>An administrator ended the session.</summary>
    public static readonly SessionEndReason Killed = new("killed", SessionStatus.Closed);

    /// <summary>The bastion process died while the session ran; set at the next start.</summary>
    public static readonly SessionEndReason Interrupted = new("interrupted", SessionStatus.Interrupted);

    private SessionEndReason(string name, string status)
    {
        Name = name;
        Status = status;
        ByName.Add(name, this);
    }

    /// <summary>The stable name stored in the session row, the audit event and the recording's manifest.</summary>
    public string Name { get; }

    /// <summary>The session status this reason gives.</summary>
    public string Status { get; }

    public static IReadOnlyCollection<SessionEndReason> All => ByName.Values;

    /// <summary>The reason stored under <paramref name="name"/>, or null for a name this version never writes.</summary>
    public static SessionEndReason? FromName(string? name) => name is not null && ByName.TryGetValue(name, out var reason) ? reason : null;

    public override string ToString() => Name;
}
