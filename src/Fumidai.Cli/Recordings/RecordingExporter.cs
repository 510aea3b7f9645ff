using Fumidai.Cli.Infrastructure;
using Fumidai.Recording.Asciicast;

namespace Fumidai.Cli.Recordings;

/// <summary>Writes a recording as a standalone asciicast v2 file that <c>asciinema play</c> accepts.</summary>
public static class RecordingExporter
{
    /// <summary>Copies the stream byte for byte when every line is valid; otherwise (a recording cut short mid-line) rewrites the valid events.</summary>
    /// <param name="source">A seekable stream at the header (it is read twice).</param>
    /// <param name="destination">Created 0600 and complete, or not at all (<see cref="OutputFiles.Write"/>).</param>
    /// <param name="overwrite">Replace an existing file (never a symbolic link).</param>
    /// <returns>The number of lines left out.</returns>
    public static int Export(Stream source, string destination, bool overwrite = false)
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
        OutputFiles.Write(destination, overwrite, output =>
        {
            if (skipped == 0)
            {
                source.CopyTo(output);
                return;
            }
            using var again = new AsciicastReader(source);
            using var writer = new AsciicastWriter(output, leaveOpen: true);
            writer.WriteHeader(again.Header);
            foreach (var e in again.ReadEvents()) writer.WriteEvent(e);
        });
        return skipped;
    }
}
