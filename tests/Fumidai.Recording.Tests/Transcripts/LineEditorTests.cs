using Fumidai.Recording.Transcripts;

namespace Fumidai.Recording.Tests.Transcripts;

// The keys of one line, as a terminal sends them, and the line a shell (or the tty's line discipline) would read.
public class LineEditorTests
{
    private static List<(string Line, bool Certain)> Lines(params string[] events)
    {
        var editor = new LineEditor();
        var lines = new List<(string, bool)>();
        foreach (var keys in events)
            foreach (char c in keys)
                if (editor.Feed(c) == LineEditor.Key.Enter)
                    lines.Add((editor.TakeLine(out bool certain), certain));
        return lines;
    }

    private static List<string> Texts(params string[] events) => Lines(events).Select(l => l.Line).ToList();

    [Fact]
    public void BackspaceAndDeleteRemoveTheCharacterBeforeTheCursor() =>
        Assert.Equal(["echo ok", "ok"], Texts("echo oxx\u007f\u007fk\r", "ab\b\bok\r"));

    [Fact]
    public void CtrlUClearsAndCtrlWRemovesTheLastWord()
    {
        Assert.Equal(["id"], Texts("rm -rf /\u0015id\r"));
        Assert.Equal(["echo b"], Texts("echo a  \u0017b\r"));
        Assert.Equal(["x"], Texts("/usr/bin\u0017\u0017x\r"));
    }

    [Fact]
    public void CtrlCDiscardsTheLine() => Assert.Equal(["ok"], Texts("rm -rf /\u0003", "ok\r"));

    [Fact]
    public void CrLfAndLfEachEndOneLine() => Assert.Equal(["a", "b", "c"], Texts("a\r\nb\nc\r"));

    [Fact]
    public void CursorKeysMoveInsideTheLine()
    {
        Assert.Equal(["echo hidden"], Texts("echo hiden", "\e[D\e[D", "d", "\e[C\e[C\r"));
        Assert.Equal(["sudo ls"], Texts("ls", "\u0001", "sudo ", "\u0005\r"));
        Assert.Equal(["sudo ls"], Texts("ls\eOH", "sudo \e[F\r"));
        Assert.Equal(["ls"], Texts("lsx\e[D\e[3~\r"));
        Assert.Equal(["echo"], Texts("echo hi\e[D\e[D\e[D\u000b\r"));
    }

    [Fact]
    public void AnEscapeSequenceSplitAcrossEventsIsStillSkipped() => Assert.Equal(["ab"], Texts("a\e", "[", "1;5C", "b\r"));

    [Fact]
    public void HistoryAndCompletionKeysMakeTheLineUncertain()
    {
        Assert.Equal([("ls", true), ("", false), ("ec", false), ("x", false)],
            Lines("ls\r", "\e[A\r", "ec\t\r", "\u0012x\r"));
    }

    [Fact]
    public void PastedNewlinesStayInsideTheLine() => Assert.Equal(["echo a\necho b"], Texts("\e[200~echo a\recho b\e[201~", "\r"));

    [Fact]
    public void OtherControlCharactersAreDropped() =>
        Assert.Equal(["ab", "c\nd"], Texts("a\u0000\u001c\u009bb\r", "\e[200~c\u009b\rd\e[201~\r"));
}
