using Fumidai.Recording.Asciicast;

namespace Fumidai.Cli.Recordings;

/// <summary>Writes a recording as a standalone asciicast v2 file that <c>asciinema play</c> accepts.</summary>
public static class RecordingExporter
{
    /// <summary>Copies the file byte for byte when every line is valid; otherwise (a recording cut short mid-line) rewrites the valid events.</summary>
    /// <returns>The number of lines left out.</returns>
    public static int Export(string source, string destination)
    {
        int skipped;
        using (var stream = File.OpenRead(source))
        using (var reader = new AsciicastReader(stream))
        {
            _ = reader.Header;
            foreach (var _ in reader.ReadEvents())
            {
            }
            skipped = reader.SkippedLines;
        }
        if (skipped == 0)
        {
            File.Copy(source, destination, overwrite: true);
            return 0;
        }
        var (header, events) = AsciicastReader.ReadFile(source);
        using var output = new FileStream(destination, FileMode.Create, FileAccess.Write);
        using var writer = new AsciicastWriter(output);
        writer.WriteHeader(header);
        foreach (var e in events) writer.WriteEvent(e);
        return skipped;
    }
}
