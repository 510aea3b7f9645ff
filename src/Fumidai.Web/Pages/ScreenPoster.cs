using System.Globalization;
using System.Text;
using Fumidai.Recording.Terminal;

namespace Fumidai.Web.Pages;

/// <summary>
/// A terminal screen drawn as HTML by the server: the first frame of a recording's page, on screen as soon as the page is,
/// while the player's scripts load and start; the player replaces it once it has drawn the same screen.
/// </summary>
/// <remarks>
/// Colours follow the player's default theme (its 16 colours, xterm's 256-colour cube and greys beyond), so the swap does
/// not flicker. Every character is HTML-encoded: a recording's text never becomes markup.
/// </remarks>
public static class ScreenPoster
{
    private const string Foreground = "#cccccc";
    private const string Background = "#121314";

    private static readonly string[] Theme =
    [
        "#000000", "#dd3c69", "#4ebf22", "#ddaf3c", "#26b0d7", "#b954e1", "#54e1b9", "#d9d9d9",
        "#4d4d4d", "#dd3c69", "#4ebf22", "#ddaf3c", "#26b0d7", "#b954e1", "#54e1b9", "#ffffff",
    ];

    /// <summary>The screen as a <c>pre</c> of one <c>span</c> per row (its width in columns as <c>--cols</c>, for sizing), runs of one rendition in inner spans.</summary>
    public static string Draw(TerminalScreen screen)
    {
        var html = new StringBuilder(screen.Columns * screen.Rows + 256);
        html.Append("<pre id=\"poster\" class=\"poster\" elementtiming=\"first-frame\" style=\"--cols:").Append(screen.Columns.ToString(CultureInfo.InvariantCulture)).Append("\">");
        for (int row = 0; row < screen.Rows; row++)
        {
            html.Append("<span class=\"poster-row\">");
            foreach (var (text, rendition) in screen.GetRowRuns(row))
            {
                string? style = Style(rendition);
                if (style is null)
                {
                    html.Append(Html.E(text));
                    continue;
                }
                html.Append("<span style=\"").Append(style).Append("\">").Append(Html.E(text)).Append("</span>");
            }
            html.Append("</span>\n");
        }
        return html.Append("</pre>").ToString();
    }

    /// <summary>The inline style of one rendition, or null for the default (most of a screen).</summary>
    private static string? Style(long rendition)
    {
        if (rendition == 0) return null;
        string? foreground = Colour(Rendition.ForegroundColour(rendition));
        string? background = Colour(Rendition.BackgroundColour(rendition));
        bool bold = Rendition.HasFlag(rendition, 1);
        // Bold in one of the eight basic colours shows the bright one, as the player does by default.
        if (bold && Rendition.ForegroundColour(rendition) is >= 0 and < 8 and var basic) foreground = Theme[basic + 8];
        if (Rendition.HasFlag(rendition, 7)) (foreground, background) = (background ?? Background, foreground ?? Foreground);
        if (Rendition.HasFlag(rendition, 8)) foreground = background ?? Background;
        var style = new StringBuilder();
        if (foreground is not null) style.Append("color:").Append(foreground).Append(';');
        if (background is not null) style.Append("background:").Append(background).Append(';');
        if (bold) style.Append("font-weight:bold;");
        if (Rendition.HasFlag(rendition, 2)) style.Append("opacity:.6;");
        if (Rendition.HasFlag(rendition, 3)) style.Append("font-style:italic;");
        bool underline = Rendition.HasFlag(rendition, 4), strike = Rendition.HasFlag(rendition, 9);
        if (underline || strike) style.Append("text-decoration:").Append(underline ? "underline " : "").Append(strike ? "line-through" : "").Append(';');
        return style.Length == 0 ? null : style.ToString();
    }

    /// <summary>A palette index or RGB value as a CSS colour; null for the default.</summary>
    private static string? Colour(int? colour)
    {
        if (colour is not { } c) return null;
        if (Rendition.IsRgb(c)) return "#" + (c & 0xFFFFFF).ToString("x6", CultureInfo.InvariantCulture);
        if (c < 16) return Theme[c];
        if (c < 232)
        {
            int i = c - 16;
            return Rgb(Level(i / 36), Level(i / 6 % 6), Level(i % 6));
        }
        int grey = 8 + (c - 232) * 10;
        return Rgb(grey, grey, grey);
    }

    private static int Level(int step) => step == 0 ? 0 : 55 + step * 40;

    private static string Rgb(int r, int g, int b) => string.Create(CultureInfo.InvariantCulture, $"#{r:x2}{g:x2}{b:x2}");
}
