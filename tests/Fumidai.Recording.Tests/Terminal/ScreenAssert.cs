using System.Text;
using Fumidai.Recording.Terminal;

namespace Fumidai.Recording.Tests.Terminal;

internal static class ScreenAssert
{
    public static TerminalScreen Run(string output, int columns = 20, int rows = 5)
    {
        var screen = new TerminalScreen(columns, rows);
        screen.Feed(Encoding.UTF8.GetBytes(output));
        return screen;
    }

    /// <summary>Rows joined with '|' (trailing blanks trimmed, trailing blank rows dropped) for compact assertions.</summary>
    public static string Rows(TerminalScreen screen) => screen.GetText().TrimEnd('\n').Replace('\n', '|');
}
