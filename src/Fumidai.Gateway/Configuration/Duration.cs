using System.Globalization;

namespace Fumidai.Gateway.Configuration;

/// <summary>Durations as written in the CLI and configuration: <c>90s</c>, <c>15m</c>, <c>8h</c>, <c>2d</c>.</summary>
public static class Duration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length < 2) return false;
        text = text.Trim();
        if (!long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long amount)) return false;
        TimeSpan? unit = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            _ => null,
        };
        if (unit is null || amount > 366L * 24 * 3600) return false;
        value = unit.Value * amount;
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a duration such as 90s, 15m or 8h");

    public static string Format(TimeSpan value) =>
        value.TotalSeconds % 3600 == 0 ? $"{(long)value.TotalHours}h"
        : value.TotalSeconds % 60 == 0 ? $"{(long)value.TotalMinutes}m"
        : $"{(long)value.TotalSeconds}s";
}
