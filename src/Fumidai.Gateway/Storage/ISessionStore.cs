using Fumidai.Gateway.Sessions;

namespace Fumidai.Gateway.Storage;

/// <summary>The rows that say which sessions ran: written when one starts and when it ends.</summary>
public interface ISessionStore
{
    Task AddSessionAsync(SessionRecord session, CancellationToken cancellationToken = default);

    /// <summary>Marks the session ended; its status follows from the reason.</summary>
    Task EndSessionAsync(string id, DateTimeOffset end, SessionEndReason reason, long bytesIn, long bytesOut, CancellationToken cancellationToken = default);

    Task<SessionRecord?> GetSessionAsync(string id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SessionRecord>> ListRunningSessionsAsync(CancellationToken cancellationToken = default);
}
