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
    public void CombiningMarksTakeNoCell()
    {
        var s = Run("e\u0301x");
        Assert.Equal(2, s.CursorColumn);
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
