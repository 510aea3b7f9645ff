using Fumidai.Recording.Terminal;
using Fumidai.Web.Pages;

namespace Fumidai.Web.Tests;

/// <summary>The server-drawn first frame: colours as the player's theme shows them, one row per line, text never markup.</summary>
public sealed class ScreenPosterTests
{
    private static string Draw(string output, int columns = 20, int rows = 3)
    {
        var screen = new TerminalScreen(columns, rows);
        screen.Feed(output);
        return ScreenPoster.Draw(screen);
    }

    [Fact]
    public void Palette_cube_grey_and_rgb_colours_become_css_colours()
    {
        string html = Draw("\e[38;5;196mA\e[48;5;244mB\e[0m\e[38;2;1;2;3mC\e[0m\e[32mD");
        Assert.Contains("<span style=\"color:#ff0000;\">A</span>", html);
        Assert.Contains("<span style=\"color:#ff0000;background:#808080;\">B</span>", html);
        Assert.Contains("<span style=\"color:#010203;\">C</span>", html);
        Assert.Contains("<span style=\"color:#4ebf22;\">D</span>", html);
    }

    [Fact]
    public void Inverse_swaps_the_colours_and_bold_basic_colours_are_bright()
    {
        string html = Draw("\e[7mI\e[0m \e[1;34mB");
        Assert.Contains("<span style=\"color:#121314;background:#cccccc;\">I</span>", html);
        Assert.Contains("<span style=\"color:#26b0d7;font-weight:bold;\">B</span>", html);
    }

    [Fact]
    public void Rows_are_lines_trailing_blanks_are_dropped_and_text_is_encoded()
    {
        string html = Draw("<b>&\"x\r\n\r\nlast");
        Assert.Contains("<span class=\"poster-row\">&lt;b&gt;&amp;&quot;x</span>\n<span class=\"poster-row\"></span>\n<span class=\"poster-row\">last</span>\n", html);
        Assert.DoesNotContain("<b>", html);
        Assert.StartsWith("<pre id=\"poster\" class=\"poster\" elementtiming=\"first-frame\" style=\"--cols:20\">", html);
    }
}
