using Fumidai.Recording.Asciicast;

namespace Fumidai.Recording.Transcripts;

/// <summary>The commands typed at shell prompts during a recorded session, as they were run.</summary>
public static class CommandExtractor
{
    /// <summary>Replays a recording whose terminal size is given by its header.</summary>
    public static IReadOnlyList<TypedCommand> Extract(AsciicastHeader header, IEnumerable<AsciicastEvent> events) =>
        Extract(events, header.Width, header.Height);

    /// <summary>Replays events on a terminal of the given size and returns the commands in the order they were run.</summary>
    public static IReadOnlyList<TypedCommand> Extract(IEnumerable<AsciicastEvent> events, int columns = 80, int rows = 24)
    {
        var builder = new TranscriptBuilder(columns, rows, keepTranscript: false);
        foreach (var e in events)
            builder.Add(e);
        builder.Complete();
        return builder.Commands;
    }
}
