using System.Text;
using Fumidai.Recording.Terminal;
using static Fumidai.Recording.Tests.Terminal.ScreenAssert;

namespace Fumidai.Recording.Tests.Terminal;

public class Utf8AndWidthTests
{
    [Fact]
    public void JapaneseTakesTwoCellsEach()
    {
        var s = Run("日本語x");
        Assert.Equal("日本語x", Rows(s));
        Assert.Equal(7, s.CursorColumn);
        Assert.Equal("ｶﾅ", Rows(Run("ｶﾅ"))); // halfwidth katakana are narrow
        Assert.Equal(2, Run("ｶﾅ").CursorColumn);
    }

    [Fact]
    public void WideCharacterThatDoesNotFitWrapsWhole()
    {
        var s = Run("abcあ", columns: 4);
        Assert.Equal("abc|あ", Rows(s));
        Assert.True(s.GetLine(0).Wrapped);
    }

    [Fact]
    public void OverwritingHalfAWideCharacterErasesIt()
    {
        Assert.Equal(" x", Rows(Run("あ\bx")));
        Assert.Equal("x", Rows(Run("あ\e[1Gx")).TrimEnd());
    }

    [Fact]
    public void InvalidUtf8BecomesReplacementCharacter()
    {
        var s = new TerminalScreen(20, 3);
        s.Feed([(byte)'a', 0xFF, (byte)'b', 0xC3, (byte)'c', 0xE3, 0x81, (byte)'d', 0xC0, 0xAF, 0xED, 0xA0, 0x80]);
        // 0xC0 0xAF is an overlong '/', ED A0 80 a surrogate: both rejected.
        Assert.Equal("a\uFFFDb\uFFFDc\uFFFDd\uFFFD\uFFFD\uFFFD", s.GetRowText(0));
    }

    [Fact]
    public void TruncatedCharacterAtEndOfStreamIsReplaced()
    {
        var s = new TerminalScreen(20, 3);
        s.Feed([(byte)'a', 0xE6, 0x97]);
        s.Flush();
        Assert.Equal("a\uFFFD", s.GetRowText(0));
    }

    [Fact]
    public void EscapeInterruptsAPartialCharacter()
    {
        var s = new TerminalScreen(20, 3);
        s.Feed([0xE6, 0x97, 0x1B, (byte)'[', (byte)'C', (byte)'z']);
        Assert.Equal("\uFFFD z", s.GetRowText(0));
    }

    [Fact]
    public void CombiningMarksTakeNoCellAndStayWithTheirCharacter()
    {
        var s = Run("e\u0301x");
        Assert.Equal(2, s.CursorColumn);
        // Kept as typed (decomposed): the text is what the program wrote, not a normalised form of it.
        Assert.Equal("e\u0301x", Rows(s));
    }

    [Fact]
    public void SeveralMarksOnOneCharacterAndMarksOnAWideCharacter()
    {
        Assert.Equal("a\u0323\u0302b", Rows(Run("a\u0323\u0302b")));
        var wide = Run("か\u3099x");
        Assert.Equal("か\u3099x", Rows(wide));
        Assert.Equal(3, wide.CursorColumn);
    }

    [Fact]
    public void AMarkAtTheRightMarginJoinsTheLastCharacterNotTheNextRow()
    {
        var s = Run("abcde\u0301f", columns: 5);
        Assert.Equal("abcde\u0301|f", Rows(s));
    }

    [Fact]
    public void OverwritingOrErasingACombinedCellRemovesItsMarks()
    {
        Assert.Equal("xb", Rows(Run("e\u0301b\rx")));
        Assert.Equal("", Rows(Run("e\u0301\e[2K")).Trim());
        // Inserting and deleting characters moves the marks with their cell.
        Assert.Equal("Xe\u0301", Rows(Run("e\u0301\r\e[@X")));
        Assert.Equal("e\u0301", Rows(Run("Xe\u0301\r\e[P")));
    }

    [Fact]
    public void AMarkWithNothingBeforeItAndFormatCharactersAreDropped()
    {
        Assert.Equal("x", Rows(Run("\u0301x")));
        // Bidi overrides and zero-width spaces could make a transcript read differently from what ran: never kept.
        Assert.Equal("ab", Rows(Run("a\u202Eb\u200B")));
    }

    [Fact]
    public void DistinctCombinationsAreBoundedSoAFloodCannotGrowMemory()
    {
        var s = new TerminalScreen(200, 2);
        var text = new StringBuilder();
        // Far more distinct base+mark pairs than the screen keeps; past its bound, marks are dropped, text stays.
        for (int i = 0; i < 20_000; i++)
            text.Append(char.ConvertFromUtf32(0x4E00 + i % 5000)).Append('\u0301').Append(char.ConvertFromUtf32(0x0300 + i % 100)).Append('\r');
        s.Feed(Encoding.UTF8.GetBytes(text.ToString()));
        Assert.True(s.CombinedCellCount <= 4096, s.CombinedCellCount.ToString());
        // A run of marks on one character is bounded too.
        var many = Run("a" + new string('\u0301', 1000));
        Assert.StartsWith("a\u0301", Rows(many));
        Assert.True(Rows(many).Length <= 32, Rows(many).Length.ToString());
    }

    [Fact]
    public void EmojiOutsideTheBmp()
    {
        var s = Run("🍣x");
        Assert.Equal("🍣x", Rows(s));
        Assert.Equal(3, s.CursorColumn);
    }

    [Theory]
    [InlineData('a', 1)]
    [InlineData('日', 2)]
    [InlineData('ア', 2)]
    [InlineData('Ａ', 2)]
    [InlineData('한', 2)]
    [InlineData('é', 1)]
    [InlineData('\u0301', 0)]
    public void WidthTable(char c, int width) => Assert.Equal(width, CharWidth.Of(c));
}
