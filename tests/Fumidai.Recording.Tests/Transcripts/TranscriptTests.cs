using System.Text;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Transcripts;

namespace Fumidai.Recording.Tests.Transcripts;

public class TranscriptTests
{
    private static AsciicastEvent O(double t, string s) => AsciicastEvent.Output(TimeSpan.FromSeconds(t), s);
    private static AsciicastEvent I(double t, string s) => AsciicastEvent.Input(TimeSpan.FromSeconds(t), s);

    private static string Text(params AsciicastEvent[] events) => Transcript.Build(events, 40, 5).ToString();

    [Fact]
    public void LinesThatScrollOffKeepTheirOrder()
    {
        var text = Text(O(0, string.Concat(Enumerable.Range(1, 12).Select(i => $"line {i}\r\n"))), O(1, "$ "));
        Assert.Equal(string.Concat(Enumerable.Range(1, 12).Select(i => $"line {i}\n")) + "$\n", text);
    }

    [Fact]
    public void ClearDoesNotLoseWhatWasShown()
    {
        Assert.Equal("before\n$ clear\nafter\n", Text(O(0, "before\r\n$ clear\r\n"), O(1, "\e[H\e[2J\e[3J"), O(2, "after")));
    }

    [Fact]
    public void WrappedLinesAreJoined()
    {
        string longLine = new string('x', 100);
        Assert.Equal(longLine + "\nend\n", Text(O(0, longLine + "\r\nend")));
        Assert.Equal(longLine + "\n" + string.Concat(Enumerable.Range(1, 6).Select(i => $"{i}\n")),
            Text(O(0, longLine + "\r\n" + string.Join("\r\n", Enumerable.Range(1, 6)))));
    }

    [Fact]
    public void FullScreenProgramIsOneSummaryLine()
    {
        var events = new[]
        {
            O(0, "$ "), I(1, "v"), O(1, "v"), I(1.1, "i"), O(1.1, "i"), I(1.2, "m"), O(1.2, "m"),
            I(2, " /etc/hosts\r"), O(2, " /etc/hosts\r\n"),
            O(2.5, "\e[?1049h\e[H\e[2J127.0.0.1 localhost\r\n~\r\n~"), I(10, ":q\r"),
            O(132.5, "\e[?1049l$ "),
        };
        var transcript = Transcript.Build(events, 40, 5);
        Assert.Equal("$ vim /etc/hosts\n[vim /etc/hosts — 2m10s]\n$\n", transcript.ToString());
        Assert.Equal(["vim /etc/hosts"], CommandExtractor.Extract(events, 40, 5).Select(c => c.Command));
    }

    [Fact]
    public void RecordingEndingInsideAFullScreenProgramIsSummarisedToItsEnd()
    {
        Assert.Equal("[top — 5s]\n", Text(O(0, "\e]2;top\a\e[?1049h\e[Htop - 10:00"), O(5, "\e[H")));
    }

    [Fact]
    public void CutMidSequenceAndGarbageStillGiveATranscript()
    {
        Assert.Equal("$ ls\nfile\n", Text(O(0, "$ ls\r\nfile\r\n\e[38;2;1")));
        var random = new Random(7);
        var garbage = new StringBuilder();
        for (int i = 0; i < 200_000; i++)
            garbage.Append((char)random.Next(0, 0x3100));
        var events = new[] { O(0, garbage.ToString()), I(1, garbage.ToString()), O(2, "\r\n$ done") };
        Assert.EndsWith("$ done\n", Transcript.Build(events).ToString());
        _ = CommandExtractor.Extract(events);
    }

    [Fact]
    public void EnormousLineComesOutWhole()
    {
        string big = new('y', 2_000_000);
        var lines = Transcript.Build([O(0, big + "\r\n$ ")], 80, 24).Lines;
        Assert.Equal(big, lines[0].Text);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(45.4, "45s")]
    [InlineData(130, "2m10s")]
    [InlineData(3723, "1h02m03s")]
    public void Durations(double seconds, string expected) =>
        Assert.Equal(expected, TranscriptBuilder.FormatDuration(TimeSpan.FromSeconds(seconds)));
}
