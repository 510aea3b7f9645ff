using Fumidai.Ssh.Wire;

namespace Fumidai.Cli.Output;

/// <summary>Aligned plain-text columns for people; scripts use <c>--json</c>.</summary>
/// <remarks>Cells are escaped (<see cref="ControlText"/>) before columns are measured, so a value can neither break a row nor
/// shift the columns after it with invisible characters.</remarks>
public sealed class TableWriter
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public TableWriter(params string[] headers) => _headers = headers;

    public void Add(params string?[] cells) => _rows.Add(cells.Select(c => c is null ? "-" : ControlText.Escape(c)).ToArray());

    public void Write(TextWriter output)
    {
        var widths = _headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        foreach (var row in _rows.Prepend(_headers))
            output.WriteLine(string.Join("  ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
    }

    /// <summary>UTC time to the second, as people read it.</summary>
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? value) => value is { } v ? Time(v) : "-";
}
