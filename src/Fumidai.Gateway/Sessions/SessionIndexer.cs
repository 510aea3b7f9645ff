using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Storage;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Transcripts;

namespace Fumidai.Gateway.Sessions;

/// <summary>Fills the command search index from a finished session: typed commands of shells, the command line of exec.</summary>
public static class SessionIndexer
{
    /// <summary>Whether the session's commands are read from its recording (shells, and execs that run a shell on stdin).</summary>
    public static bool NeedsRecording(SessionRecord session) =>
        session.Kind == ChannelKinds.Shell || (session.Kind == ChannelKinds.Exec && session.Command is { } line && ShellExec.ReadsCommandsFromStdin(line));

    /// <summary>The commands of a session: exec and scp contribute their command line (and, for a shell on stdin, the lines fed
    /// to it), shells what the screen model extracts; each with its mark (null: shown at a prompt, or the exec's own line).</summary>
    public static IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)> Commands(SessionRecord session, string? recordingPath)
    {
        if (!NeedsRecording(session) || recordingPath is null || !File.Exists(recordingPath)) return Commands(session, (Stream?)null);
        using var file = File.OpenRead(recordingPath);
        return Commands(session, file);
    }

    /// <summary>The same, reading the recording from <paramref name="recording"/> (null: none, or not needed for this kind).</summary>
    public static IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)> Commands(SessionRecord session, Stream? recording)
    {
        var commands = new List<(TimeSpan, string, string?)>();
        if (session.Kind is ChannelKinds.Exec or ChannelKinds.Scp && session.Command is { } line) commands.Add((TimeSpan.Zero, line, null));
        if (!NeedsRecording(session) || recording is null) return commands;
        using var reader = new AsciicastReader(recording);
        var header = reader.Header;
        var found = session.Kind == ChannelKinds.Shell ? CommandExtractor.Extract(header, reader.ReadEvents()) : StdinCommands.Extract(reader.ReadEvents());
        commands.AddRange(found.Select(c => (c.Time, c.Command, c.Mark)));
        return commands;
    }

    public static async Task IndexAsync(ICommandIndex store, SessionRecord session, string? recordingPath, CancellationToken cancellationToken = default) =>
        await store.IndexSessionCommandsAsync(session.Id, Commands(session, recordingPath), cancellationToken).ConfigureAwait(false);

    public static async Task IndexAsync(ICommandIndex store, SessionRecord session, Stream? recording, CancellationToken cancellationToken = default) =>
        await store.IndexSessionCommandsAsync(session.Id, Commands(session, recording), cancellationToken).ConfigureAwait(false);
}
