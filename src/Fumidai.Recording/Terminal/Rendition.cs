using System.Globalization;
using System.Text;

namespace Fumidai.Recording.Terminal;

/// <summary>A cell's graphic rendition (SGR) packed in a <see cref="long"/>: foreground, background and flags; 0 is the default.</summary>
/// <remarks>
/// A colour takes 25 bits: 0 is the default colour, 1–256 a palette index plus one, and bit 24 set marks a 24-bit RGB value
/// in the low 24 bits. Packing keeps a cell's rendition one array element, so the screen model stays cheap to feed.
/// </remarks>
public static class Rendition
{
    private const int BackgroundShift = 25;
    private const int FlagShift = 50;
    private const long ColourMask = (1L << 25) - 1;
    private const int Rgb = 1 << 24;

    // SGR codes that set each flag, in bit order.
    private static readonly int[] FlagCodes = [1, 2, 3, 4, 5, 7, 8, 9];

    /// <summary>Only the background of <paramref name="rendition"/>: what erased and inserted blank cells take (xterm's back-colour erase).</summary>
    public static long Background(long rendition) => rendition & (ColourMask << BackgroundShift);

    /// <summary>The rendition after SGR with parameters <paramref name="p"/> (sub-parameters arrive flattened, as the parser gives them).</summary>
    public static long Apply(long pen, ReadOnlySpan<int> p)
    {
        if (p.Length == 0) return 0;
        for (int i = 0; i < p.Length; i++)
        {
            int code = p[i];
            switch (code)
            {
                case 0: pen = 0; break;
                case >= 30 and <= 37: pen = WithForeground(pen, code - 30 + 1); break;
                case >= 90 and <= 97: pen = WithForeground(pen, code - 90 + 8 + 1); break;
                case 39: pen = WithForeground(pen, 0); break;
                case >= 40 and <= 47: pen = WithBackground(pen, code - 40 + 1); break;
                case >= 100 and <= 107: pen = WithBackground(pen, code - 100 + 8 + 1); break;
                case 49: pen = WithBackground(pen, 0); break;
                case 38 or 48:
                    if (ExtendedColour(p, ref i) is not { } colour) return pen; // malformed: the rest is not trusted, as in xterm
                    pen = code == 38 ? WithForeground(pen, colour) : WithBackground(pen, colour);
                    break;
                case 22: pen = WithoutFlags(pen, 0b11); break;   // neither bold nor faint
                case 23: pen = WithoutFlags(pen, 0b100); break;
                case 24: pen = WithoutFlags(pen, 0b1000); break;
                case 25: pen = WithoutFlags(pen, 0b10000); break;
                case 27: pen = WithoutFlags(pen, 0b100000); break;
                case 28: pen = WithoutFlags(pen, 0b1000000); break;
                case 29: pen = WithoutFlags(pen, 0b10000000); break;
                default:
                    int flag = Array.IndexOf(FlagCodes, code);
                    if (flag >= 0) pen |= 1L << (FlagShift + flag);
                    break;
            }
        }
        return pen;
    }

    /// <summary>The SGR sequence that sets exactly <paramref name="rendition"/> from any pen (it starts with a reset).</summary>
    public static string ToSgr(long rendition)
    {
        var sb = new StringBuilder("\u001b[0");
        for (int flag = 0; flag < FlagCodes.Length; flag++)
            if ((rendition & (1L << (FlagShift + flag))) != 0) sb.Append(';').Append(FlagCodes[flag]);
        AppendColour(sb, rendition & ColourMask, 38);
        AppendColour(sb, (rendition >> BackgroundShift) & ColourMask, 48);
        return sb.Append('m').ToString();
    }

    private static void AppendColour(StringBuilder sb, long colour, int code)
    {
        if (colour == 0) return;
        if ((colour & Rgb) != 0)
            sb.Append(CultureInfo.InvariantCulture, $";{code};2;{(colour >> 16) & 0xFF};{(colour >> 8) & 0xFF};{colour & 0xFF}");
        else
            sb.Append(CultureInfo.InvariantCulture, $";{code};5;{colour - 1}");
    }

    /// <summary>38/48 followed by 5;N or 2;R;G;B; advances <paramref name="i"/> past what it used.</summary>
    private static long? ExtendedColour(ReadOnlySpan<int> p, ref int i)
    {
        if (i + 1 >= p.Length) return null;
        if (p[i + 1] == 5 && i + 2 < p.Length)
        {
            int index = p[i + 2];
            i += 2;
            return index is >= 0 and <= 255 ? index + 1 : null;
        }
        if (p[i + 1] == 2 && i + 4 < p.Length)
        {
            int r = p[i + 2], g = p[i + 3], b = p[i + 4];
            i += 4;
            return r <= 255 && g <= 255 && b <= 255 ? Rgb | (r << 16) | (g << 8) | b : null;
        }
        return null;
    }

    /// <summary>
    /// The foreground colour of <paramref name="rendition"/>: null for the default, a palette index 0–255, or an RGB value
    /// (with <see cref="IsRgb"/> true).
    /// </summary>
    public static int? ForegroundColour(long rendition) => Colour(rendition & ColourMask);

    /// <summary>The background colour, as <see cref="ForegroundColour"/>.</summary>
    public static int? BackgroundColour(long rendition) => Colour((rendition >> BackgroundShift) & ColourMask);

    /// <summary>Whether a colour from <see cref="ForegroundColour"/> or <see cref="BackgroundColour"/> is 24-bit RGB rather than a palette index.</summary>
    public static bool IsRgb(int colour) => (colour & Rgb) != 0;

    /// <summary>Whether SGR flag <paramref name="sgrCode"/> (1 bold, 2 faint, 3 italic, 4 underline, 5 blink, 7 inverse, 8 hidden, 9 strike) is set.</summary>
    public static bool HasFlag(long rendition, int sgrCode)
    {
        int flag = Array.IndexOf(FlagCodes, sgrCode);
        return flag >= 0 && (rendition & (1L << (FlagShift + flag))) != 0;
    }

    private static int? Colour(long colour) => colour == 0 ? null : (colour & Rgb) != 0 ? (int)colour : (int)colour - 1;

    private static long WithForeground(long pen, long colour) => (pen & ~ColourMask) | colour;

    private static long WithBackground(long pen, long colour) => (pen & ~(ColourMask << BackgroundShift)) | (colour << BackgroundShift);

    private static long WithoutFlags(long pen, long flags) => pen & ~(flags << FlagShift);
}
