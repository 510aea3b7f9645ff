using System.Text;
using Fumidai.Recording.Asciicast;

namespace Fumidai.Recording.Transcripts;

/// <summary>What the screen showed during a session, line by line, without escape sequences; full-screen programs as one summary line.</summary>
public sealed class Transcript
{
    internal Transcript(IReadOnlyList<TranscriptLine> lines)
    {
        Lines = lines;
    }

    /// <summary>The lines in the order they were shown.</summary>
    public IReadOnlyList<TranscriptLine> Lines { get; }

    /// <summary>Replays a recording whose terminal size is given by its header.</summary>
    public static Transcript Build(AsciicastHeader header, IEnumerable<AsciicastEvent> events) =>
        Build(events, header.Width, header.Height);

    /// <summary>Replays events on a terminal of the given size (asciicast's default is 80×24).</summary>
    public static Transcript Build(IEnumerable<AsciicastEvent> events, int columns = 80, int rows = 24)
    {
        var builder = new TranscriptBuilder(columns, rows);
        foreach (var e in events)
            builder.Add(e);
        return builder.ToTranscript();
    }

    /// <summary>The transcript as plain text, one line per line.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var line in Lines)
            sb.Append(line.Text).Append('\n');
        return sb.ToString();
    }
}
