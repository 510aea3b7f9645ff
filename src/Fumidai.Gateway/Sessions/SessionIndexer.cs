using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Storage;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Transcripts;

namespace Fumidai.Gateway.Sessions;

/// <summary>Fills the command search index from a finished session: typed commands of shells, the command line of exec.</summary>
public static class SessionIndexer
{
    /// <summary>The commands of a session: exec and scp contribute their command line, shells what the screen model extracts.</summary>
    public static IReadOnlyList<(TimeSpan Offset, string Command)> Commands(SessionRecord session, string? recordingPath)
    {
        if (session.Kind is ChannelKinds.Exec or ChannelKinds.Scp && session.Command is { } line) return [(TimeSpan.Zero, line)];
        if (session.Kind != ChannelKinds.Shell || recordingPath is null || !File.Exists(recordingPath)) return [];
        using var file = File.OpenRead(recordingPath);
        return Commands(session, file);
    }

    /// <summary>The same, reading the recording from <paramref name="recording"/> (null: none, or not needed for this kind).</summary>
    public static IReadOnlyList<(TimeSpan Offset, string Command)> Commands(SessionRecord session, Stream? recording)
    {
        if (session.Kind is ChannelKinds.Exec or ChannelKinds.Scp && session.Command is { } line) return [(TimeSpan.Zero, line)];
        if (session.Kind != ChannelKinds.Shell || recording is null) return [];
        using var reader = new AsciicastReader(recording);
        var header = reader.Header;
        return CommandExtractor.Extract(header, reader.ReadEvents()).Select(c => (c.Time, c.Command)).ToArray();
    }

    public static async Task IndexAsync(MetadataStore store, SessionRecord session, string? recordingPath, CancellationToken cancellationToken = default) =>
        await store.IndexSessionCommandsAsync(session.Id, Commands(session, recordingPath), cancellationToken).ConfigureAwait(false);

    public static async Task IndexAsync(MetadataStore store, SessionRecord session, Stream? recording, CancellationToken cancellationToken = default) =>
        await store.IndexSessionCommandsAsync(session.Id, Commands(session, recording), cancellationToken).ConfigureAwait(false);
}
