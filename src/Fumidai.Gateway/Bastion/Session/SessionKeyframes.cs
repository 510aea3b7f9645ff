using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Keyframes;

namespace Fumidai.Gateway.Bastion.Session;

/// <summary>
/// A session's keyframes, window index and command list, made from each chunk as it is sealed and published with the signed
/// manifest: its first viewer reads one chunk, and the search index gets the commands without reading the recording back.
/// </summary>
internal sealed class SessionKeyframes
{
    private readonly CommandCollector _commands;
    private IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)>? _found;

    private SessionKeyframes(KeyframeCache cache, RecordingDescriptor descriptor, CommandCollector commands, CancellationToken stopping)
    {
        _commands = commands;
        Observer = new SealedChunkKeyframes(cache, descriptor, stopping)
        {
            Events = commands.Add,
            Extras = () =>
            {
                _found = _commands.Complete();
                return [(CachedCommands.Name, CachedCommands.Write(_found))];
            },
        };
    }

    /// <summary>What the recorder's chunk writer feeds.</summary>
    public SealedChunkKeyframes Observer { get; }

    /// <summary>Starts the work for a new recording; null when the node keeps no keyframes.</summary>
    public static SessionKeyframes? Start(BastionContext context, RecordingDescriptor descriptor, AsciicastHeader header, string kind, string? command) =>
        context.Recordings.Keyframes is { } cache
            ? new SessionKeyframes(cache, descriptor, new CommandCollector(kind, command, header.Width, header.Height), context.Cut)
            : null;

    /// <summary>Waits (bounded) for the entries to be published; the commands found when they were, null otherwise (the first viewer builds them).</summary>
    /// <remarks>A recording that failed never gets its manifest: its work is dropped at once instead of waiting for it.</remarks>
    public async Task<IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)>?> PublishedAsync(bool recordingFailed, TimeSpan wait)
    {
        if (recordingFailed) Observer.Dispose();
        try
        {
            return await Observer.Completion.WaitAsync(wait).ConfigureAwait(false) ? _found : null;
        }
        catch (TimeoutException)
        {
            return null; // still working; it publishes when done, or is dropped at shutdown
        }
    }
}
