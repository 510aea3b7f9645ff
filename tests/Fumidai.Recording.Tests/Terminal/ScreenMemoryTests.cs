using System.Text;
using Fumidai.Recording.Terminal;

namespace Fumidai.Recording.Tests.Terminal;

/// <summary>
/// A live session keeps a screen model; with thousands of quiet sessions open, what it allocates up front is paid per
/// session. Renditions and the alternate screen are allocated only when used.
/// </summary>
public sealed class ScreenMemoryTests
{
    [Fact]
    public void Plain_text_allocates_neither_renditions_nor_the_alternate_screen()
    {
        var screen = new TerminalScreen(80, 24);
        screen.Feed(Encoding.UTF8.GetBytes("Linux web01 6.1.0\r\nLast login: today\r\n$ ls\r\nfile\r\n$ "));
        Assert.Equal(0, screen.LinesWithRenditions);
        Assert.False(screen.HasAlternateLines);
    }

    [Fact]
    public void A_coloured_prompt_allocates_renditions_for_its_line_only_and_redraws_them()
    {
        var screen = new TerminalScreen(80, 24);
        screen.Feed(Encoding.UTF8.GetBytes("plain\r\n\u001b[1;32muser@web01\u001b[0m:~$ "));
        Assert.Equal(1, screen.LinesWithRenditions);
        var copy = new TerminalScreen(80, 24);
        copy.Feed(Encoding.UTF8.GetBytes(screen.Redraw()));
        Assert.Equal(screen.DescribeState(), copy.DescribeState());
    }

    [Fact]
    public void The_alternate_screen_is_made_on_first_use_and_a_resize_before_it_is_kept()
    {
        var screen = new TerminalScreen(80, 24);
        screen.Resize(100, 30);
        Assert.False(screen.HasAlternateLines);
        screen.Feed(Encoding.UTF8.GetBytes("\u001b[?1049h\u001b[44mfull screen\u001b[0m"));
        Assert.True(screen.HasAlternateLines);
        Assert.True(screen.IsAlternateScreen);
        Assert.Equal("full screen", screen.GetRowText(0).TrimEnd());
        screen.Resize(60, 20);
        screen.Feed(Encoding.UTF8.GetBytes("\u001b[?1049l"));
        Assert.False(screen.IsAlternateScreen);
        var copy = new TerminalScreen(60, 20);
        copy.Feed(Encoding.UTF8.GetBytes(screen.Redraw()));
        Assert.Equal(screen.DescribeState(), copy.DescribeState());
    }
}
