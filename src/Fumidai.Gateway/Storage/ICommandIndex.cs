namespace Fumidai.Gateway.Storage;

/// <summary>The search index of commands run in sessions.</summary>
public interface ICommandIndex
{
    /// <summary>Replaces the session's indexed commands (offset into the session, the line, and how it was seen).</summary>
    Task IndexSessionCommandsAsync(string sessionId, IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)> commands,
        CancellationToken cancellationToken = default);
}
