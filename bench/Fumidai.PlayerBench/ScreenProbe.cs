using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Fumidai.PlayerBench;

/// <summary>
/// A time to seek to and a piece of text the terminal must show then: the time of an output event (rounded up to the
/// millisecond, with no other output before the next one), and the start of one of the last lines printed up to and including it (still on an 80×24 screen, tab-free so it reads the same in the page).
/// </summary>
/// <remarks>
/// Seeking to "the first output + 1 ms" and expecting the prompt printed there fails on a big recording: the event holding the
/// prompt goes on with a whole header file, and at 17 MiB/s a millisecond is hundreds of lines more, so the prompt has
/// scrolled off by then. The player applies every event at or before the seek time, so the text expected is what the
/// events up to that exact time printed last.
/// </remarks>
internal sealed partial record ScreenProbe(double Time, string Expected)
{
    private const int Prefix = 24;

    /// <summary>The first output event at or after <paramref name="target"/> seconds whose printed lines give a usable text.</summary>
    public static async Task<ScreenProbe> AtAsync(IAPIRequestContext api, string id, double target)
    {
        using var index = JsonDocument.Parse(await (await api.GetAsync($"/sessions/{id}/segments.json")).TextAsync());
        var starts = index.RootElement.GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("start").GetDouble()).ToList();
        int window = Math.Max(0, starts.FindLastIndex(s => s <= target));
        for (int tries = 0; tries < 16 && window < starts.Count; tries++, window++)
        {
            var response = await api.GetAsync($"/sessions/{id}/segments/{window.ToString(CultureInfo.InvariantCulture)}");
            if (response.Status != 200) throw new InvalidOperationException($"segment {window}: HTTP {response.Status}");
            using var segment = JsonDocument.Parse(await response.TextAsync());
            var printed = new StringBuilder();
            ScreenProbe? pending = null;
            foreach (var e in segment.RootElement.GetProperty("events").EnumerateArray())
            {
                if (e[1].GetString() != "o") continue;
                double time = e[0].GetDouble();
                // The player applies every event at or before the time sought: a candidate holds only if the next output is later.
                if (pending is not null && time > pending.Time) return pending;
                printed.Append(e[2].GetString());
                if (printed.Length > 64 * 1024) printed.Remove(0, printed.Length - 16 * 1024);
                // Whole milliseconds, rounded up: the page's ?t= keeps three decimals.
                pending = time >= target && LastLine(printed.ToString()) is { } text ? new ScreenProbe(Math.Ceiling(time * 1000) / 1000, text) : null;
            }
            if (pending is not null) return pending;
        }
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"no output with a usable line after {target:F3} s"));
    }

    /// <summary>The probe's time as the player's seek argument or the page's <c>?t=</c>.</summary>
    public string SeekArgument => Time.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>The start of one of the last few lines printed (the cursor's line included), when it is plain enough to find on screen.</summary>
    private static string? LastLine(string printed)
    {
        string[] lines = Escapes().Replace(printed, "").Split('\n');
        for (int i = lines.Length - 1; i >= Math.Max(0, lines.Length - 8); i--)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Contains('\r', StringComparison.Ordinal)) continue; // overwritten in place
            string start = line.Length > Prefix ? line[..Prefix] : line;
            // Up to a tab or a run of spaces, which the page may show otherwise.
            int gap = start.IndexOfAny(['\t']);
            if (gap >= 0) start = start[..gap];
            gap = start.IndexOf("  ", StringComparison.Ordinal);
            if (gap >= 0) start = start[..gap];
            start = start.TrimEnd();
            if (start.Length >= 8 && start.All(c => c is >= ' ' and <= '~') && start.Count(char.IsAsciiLetter) >= 4) return start;
        }
        return null;
    }

    [GeneratedRegex(@"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")]
    private static partial Regex Escapes();
}
