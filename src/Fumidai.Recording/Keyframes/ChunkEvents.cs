using System.Text;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Terminal;

namespace Fumidai.Recording.Keyframes;

/// <summary>The events of a chunk's asciicast text with their line offsets, and what a player is shown of them.</summary>
internal static class ChunkEvents
{
    /// <summary>Events in bytes [<paramref name="from"/>, <paramref name="to"/>); lines that do not parse (the header) are skipped.</summary>
    public static IEnumerable<(int Offset, int Length, AsciicastEvent Event)> Read(byte[] text, int from, int to)
    {
        for (int offset = from; offset < to;)
        {
            int end = Array.IndexOf(text, (byte)'\n', offset, to - offset);
            int next = end < 0 ? to : end + 1;
            int length = (end < 0 ? to : end) - offset;
            if (length > 0 && AsciicastReader.TryParseEvent(text.AsSpan(offset, length), out var e))
                yield return (offset, length, e);
            offset = next;
        }
    }

    /// <summary>Output, resizes and markers; input is not shown by a player.</summary>
    public static bool Shown(AsciicastEvent e) => e.Type != AsciicastEventType.Input;

    public static long Micros(AsciicastEvent e) => e.Time.Ticks / 10;

    public static void Apply(TerminalScreen screen, AsciicastEvent e)
    {
        if (e.Type == AsciicastEventType.Output) screen.Feed(e.Data);
        else if (e.TryGetSize(out int columns, out int rows)) screen.Resize(columns, rows);
    }

    /// <summary>The asciicast header of chunk 0 (its first <paramref name="length"/> bytes hold it), which is its first line.</summary>
    public static AsciicastHeader Header(byte[] text, int length)
    {
        int end = Array.IndexOf(text, (byte)'\n', 0, length);
        using var reader = new AsciicastReader(new StringReader(Encoding.UTF8.GetString(text, 0, end < 0 ? length : end)));
        return reader.Header;
    }
}
