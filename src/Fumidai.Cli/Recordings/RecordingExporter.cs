using Fumidai.Recording.Asciicast;

namespace Fumidai.Cli.Recordings;

/// <summary>Writes a recording as a standalone asciicast v2 file that <c>asciinema play</c> accepts.</summary>
public static class RecordingExporter
{
    /// <summary>Copies the stream byte for byte when every line is valid; otherwise (a recording cut short mid-line) rewrites the valid events.</summary>
    /// <param name="source">A seekable stream at the header (it is read twice).</param>
    /// <returns>The number of lines left out.</returns>
    public static int Export(Stream source, string destination)
    {
        int skipped;
        using (var reader = new AsciicastReader(source))
        {
            _ = reader.Header;
            foreach (var _ in reader.ReadEvents())
            {
            }
            skipped = reader.SkippedLines;
        }
        source.Position = 0;
        using var output = new FileStream(destination, FileMode.Create, FileAccess.Write);
        if (skipped == 0)
        {
            source.CopyTo(output);
            return 0;
        }
        using var again = new AsciicastReader(source);
        using var writer = new AsciicastWriter(output);
        writer.WriteHeader(again.Header);
        foreach (var e in again.ReadEvents()) writer.WriteEvent(e);
        return skipped;
    }
}
