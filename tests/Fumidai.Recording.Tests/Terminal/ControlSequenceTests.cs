using Fumidai.Recording.Terminal;
using static Fumidai.Recording.Tests.Terminal.ScreenAssert;

namespace Fumidai.Recording.Tests.Terminal;

// Sequences as documented in xterm's ctlseqs ("CSI Ps ; Ps H" and so on).
public class ControlSequenceTests
{
    [Fact]
    public void PlainTextAndCrLf()
    {
        var s = Run("hello\r\nworld");
        Assert.Equal("hello|world", Rows(s));
        Assert.Equal((1, 5), (s.CursorRow, s.CursorColumn));
    }

    [Fact]
    public void CupPositionsOneBasedAndClamps()
    {
        Assert.Equal("|  x", Rows(Run("\e[2;3Hx")));
        Assert.Equal("x", Rows(Run("\e[Hx")));
        var s = Run("\e[99;99H");
        Assert.Equal((4, 19), (s.CursorRow, s.CursorColumn));
        Assert.Equal("|  y", Rows(Run("\e[2;3fy"))); // HVP
    }

    [Fact]
    public void RelativeCursorMovement()
    {
        // CUF 5, CUD 2, CUB 3, CUU 1
        Assert.Equal("|   b|     a", Rows(Run("\e[5C\e[2Ba\e[3D\e[1Ab")));
        Assert.Equal("a|b", Rows(Run("a\e[Eb")));           // CNL
        Assert.Equal("   x", Rows(Run("abcd\e[4Gx\e[1G\e[3X"))); // CHA then ECH
    }

    [Fact]
    public void EraseInLine()
    {
        Assert.Equal("ab", Rows(Run("abcdef\e[3D\e[1D\e[K")));      // EL 0
        Assert.Equal("   def", Rows(Run("abcdef\e[4G\e[1D\e[1K")));  // EL 1 erases through the cursor
        Assert.Equal("", Rows(Run("abcdef\e[2K")));                  // EL 2
    }

    [Fact]
    public void EraseInDisplay()
    {
        Assert.Equal("one|tw", Rows(Run("one\r\ntwo\r\nthree\e[2;3H\e[J")));
        Assert.Equal("||three", Rows(Run("one\r\ntwo\r\nthree\e[2;3H\e[1J")));
        Assert.Equal("", Rows(Run("one\r\ntwo\e[2J")));
    }

    [Fact]
    public void InsertAndDeleteCharacters()
    {
        Assert.Equal("ab  cd", Rows(Run("abcd\e[3G\e[2@")));   // ICH
        Assert.Equal("ad", Rows(Run("abcd\e[2G\e[2P")));       // DCH
        Assert.Equal("aXbc", Rows(Run("abc\e[2G\e[4hX\e[4l"))); // IRM
    }

    [Fact]
    public void InsertAndDeleteLines()
    {
        Assert.Equal("1||2|3|4", Rows(Run("1\r\n2\r\n3\r\n4\r\n5\e[2H\e[L")));
        Assert.Equal("1|4|5", Rows(Run("1\r\n2\r\n3\r\n4\r\n5\e[2H\e[2M")));
    }

    [Fact]
    public void ScrollRegionKeepsLinesOutsideIt()
    {
        // DECSTBM 2..4, then line feeds at the bottom margin scroll only rows 2..4.
        var s = Run("top\e[5Hbottom\e[2;4r\e[4Ha\r\nb\r\nc");
        Assert.Equal("top|a|b|c|bottom", Rows(s));
        Assert.Equal("top", s.GetRowText(0));
        Assert.Equal("bottom", s.GetRowText(4));
        Assert.Equal(3, s.CursorRow);
    }

    [Fact]
    public void ReverseIndexAtTopScrollsDown()
    {
        Assert.Equal("x|a|b", Rows(Run("a\r\nb\e[H\eMx")));
    }

    [Fact]
    public void WrapsAtTheRightMargin()
    {
        var s = Run("abcdefghij", columns: 4);
        Assert.Equal("abcd|efgh|ij", Rows(s));
        Assert.True(s.GetLine(0).Wrapped);
        Assert.False(s.GetLine(2).Wrapped);
        // The cursor waits at the margin until the next character (xterm's pending wrap).
        var t = Run("abcd\r\n", columns: 4);
        Assert.Equal("abcd", Rows(t));
        Assert.False(t.GetLine(0).Wrapped);
    }

    [Fact]
    public void AutowrapOffOverwritesLastColumn()
    {
        Assert.Equal("abcz", Rows(Run("\e[?7labcdefz", columns: 4)));
    }

    [Fact]
    public void TabStopsEveryEightAndSettable()
    {
        Assert.Equal("a       b", Rows(Run("a\tb")));
        Assert.Equal("a  b", Rows(Run("\e[3g\e[4GH\eH\ra\tb".Replace("H\eH", "\eH"))));
        Assert.Equal(19, Run("\t\t\t\t").CursorColumn);
    }

    [Fact]
    public void SgrIsIgnored()
    {
        Assert.Equal("red bold", Rows(Run("\e[1;31mred\e[0m \e[38;2;10;20;30mbold\e[m")));
        Assert.Equal("x", Rows(Run("\e[38:2::1:2:3mx")));
    }

    [Fact]
    public void OscTitleIsCapturedNotPrinted()
    {
        var s = Run("\e]0;user@host: ~\a$ ");
        Assert.Equal("user@host: ~", s.Title);
        Assert.Equal("$", Rows(s));
        Assert.Equal("vim", Run("\e]2;vim\e\\x").Title);  // ST terminator
        Assert.Null(Run("\e]1;icon\a").Title);
    }

    [Fact]
    public void AlternateScreen1049SavesAndRestores()
    {
        var s = Run("$ vi\r\n");
        Assert.False(s.IsAlternateScreen);
        s.Feed("\e[?1049h\e[Hfull screen"u8);
        Assert.True(s.IsAlternateScreen);
        Assert.Equal("full screen", Rows(s));
        s.Feed("\e[?1049l"u8);
        Assert.False(s.IsAlternateScreen);
        Assert.Equal("$ vi", Rows(s));
        Assert.Equal((1, 0), (s.CursorRow, s.CursorColumn));
    }

    [Theory]
    [InlineData(47)]
    [InlineData(1047)]
    public void AlternateScreen47And1047(int mode)
    {
        var s = Run("normal");
        s.Feed(System.Text.Encoding.ASCII.GetBytes($"\e[?{mode}h\e[2J\e[Halt"));
        Assert.True(s.IsAlternateScreen);
        Assert.Equal("alt", Rows(s));
        s.Feed(System.Text.Encoding.ASCII.GetBytes($"\e[?{mode}l"));
        Assert.Equal("normal", Rows(s));
    }

    [Fact]
    public void BracketedPasteMode()
    {
        Assert.True(Run("\e[?2004h").BracketedPaste);
        Assert.False(Run("\e[?2004h\e[?2004l").BracketedPaste);
    }

    [Fact]
    public void SaveAndRestoreCursor()
    {
        Assert.Equal("ab|    c", Rows(Run("a\e7\e[2;5Hc\e8b")));
    }

    [Fact]
    public void RepeatLastCharacter()
    {
        Assert.Equal("-----", Rows(Run("-\e[4b")));
    }

    [Fact]
    public void BackspaceAndCarriageReturn()
    {
        Assert.Equal("abX", Rows(Run("abc\bX")));
        Assert.Equal("Xbc", Rows(Run("abc\rX")));
    }

    [Fact]
    public void ScrollingOffTheBottomKeepsTheLatestRows()
    {
        var s = Run("1\r\n2\r\n3\r\n4\r\n5\r\n6\r\n7", rows: 3);
        Assert.Equal("5|6|7", Rows(s));
    }

    [Fact]
    public void UnknownSequencesAreSkipped()
    {
        // DECRQSS in a DCS, an APC, an unknown CSI with intermediates, a private ESC sequence.
        Assert.Equal("abcdef", Rows(Run("a\eP$qm\e\\b\e_apc\e\\c\e[1$zd\e#3e\e(0f")));
    }

    [Fact]
    public void ResizeKeepsTopLeftText()
    {
        var s = Run("hello\r\nworld");
        s.Resize(3, 5);
        Assert.Equal("hel|wor", Rows(s));
        s.Resize(30, 1);
        Assert.Equal("wor", Rows(s));
    }
}
