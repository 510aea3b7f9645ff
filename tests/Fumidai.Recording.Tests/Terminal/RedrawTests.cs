using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Terminal;

namespace Fumidai.Recording.Tests.Terminal;

// A keyframe is the screen's redraw; replaying from a keyframe plus the rest must end on exactly the screen a replay from the
// start ends on: text, renditions, wraps, cursor, modes and the alternate screen.
public class RedrawTests
{
    public static TheoryData<string, string[]> Samples => new()
    {
        { "colours", ["plain \e[1;31mbold red\e[0m \e[38;5;200mpalette\e[48;2;10;20;30m rgb bg", "\e[K\r\n", "\e[7;4munder inverse\e[27m", "\e[2X", "\e[0m\r\nend"] },
        { "erase keeps background", ["\e[44m", "\e[2J", "\e[3;3Hblue", "\e[0m", "\e[5;1Hx"] },
        { "wide and combining", ["日本語テキスト", "\r\ne\u0301 cafe\u0301 ", "\e[1;2H", "x", "\e[3;1H한국어"] },
        { "soft wrap", ["0123456789012345678901234567890123456789", "abc", "\r\n", "0123456789012345678", "日本", "z"] },
        { "pending wrap", ["\e[3;1H0123456789012345678\e[32m9"] },
        { "alternate screen", ["normal text\r\n\e[31mred", "\e[?1049h", "\e[H\e[42mfull screen", "\e[5;5Hvi", "\e[?1049l", "after"] },
        { "inside the alternate screen", ["shell$ \e[33m", "\e[?1049h\e[H", "\e[1mtop\e[0m", "\e[2;3r", "\e[?6h", "\e[2;2Hx", "\e[4h", "\e[?2004h"] },
        { "saved cursor and tabs", ["\e[3;4H\e[35m\e7", "\e[H\e[3g\e[1;5H\eH\e[1;12H\eH", "\r\tA\tB", "\e8C"] },
        { "scroll region", ["1\r\n2\r\n3\r\n4\r\n5", "\e[2;4r", "\e[4;1H\nscrolled", "\e[?7l", "\e[1;1H01234567890123456789xyz"] },
        { "title", ["\e]2;host: ~\a$ ", "ls\r\n"] },
        { "full reset", ["\e[41mx", "\ec", "y"] },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void KeyframeAtEveryBoundaryPlusTheRestEqualsReplayFromStart(string name, string[] pieces)
    {
        var whole = Replay(new TerminalScreen(20, 6), pieces);
        for (int split = 0; split <= pieces.Length; split++)
        {
            var before = Replay(new TerminalScreen(20, 6), pieces[..split]);
            var fromKeyframe = new TerminalScreen(20, 6);
            fromKeyframe.Feed(before.Redraw());
            Assert.True(before.DescribeState() == fromKeyframe.DescribeState(), $"{name}: keyframe after piece {split} redraws differently");
            Replay(fromKeyframe, pieces[split..]);
            Assert.True(whole.DescribeState() == fromKeyframe.DescribeState(), $"{name}: keyframe after piece {split} then the rest differs");
        }
    }

    [Fact]
    public void ColoursAreModelled()
    {
        var screen = Replay(new TerminalScreen(20, 3), ["a\e[31mb\e[0mc"]);
        Assert.Contains(" |ab[2]c", screen.DescribeState().Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("\e[0;38;5;1m", screen.Redraw(), StringComparison.Ordinal);
    }

    [Fact]
    public void RealShellRecordingsRedrawAtEveryTenthEvent()
    {
        string corpus = Path.Combine(AppContext.BaseDirectory, "Corpus");
        int checkedFrames = 0;
        foreach (string path in Directory.GetFiles(corpus, "*.cast").Order(StringComparer.Ordinal))
        {
            var (header, events) = AsciicastReader.ReadFile(path);
            var screen = new TerminalScreen(header.Width, header.Height);
            for (int i = 0; i < events.Count; i++)
            {
                Apply(screen, events[i]);
                if (i % 10 != 9) continue;
                var copy = new TerminalScreen(screen.Columns, screen.Rows);
                copy.Feed(screen.Redraw());
                Assert.True(screen.DescribeState() == copy.DescribeState(), $"{Path.GetFileName(path)}: event {i} redraws differently");
                checkedFrames++;
            }
        }
        Assert.True(checkedFrames > 100, $"only {checkedFrames} frames checked");
    }

    private static TerminalScreen Replay(TerminalScreen screen, IEnumerable<string> pieces)
    {
        foreach (string piece in pieces) screen.Feed(piece);
        return screen;
    }

    private static void Apply(TerminalScreen screen, AsciicastEvent e)
    {
        if (e.Type == AsciicastEventType.Output) screen.Feed(e.Data);
        else if (e.TryGetSize(out int columns, out int rows)) screen.Resize(columns, rows);
    }
}
