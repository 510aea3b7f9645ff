namespace Fumidai.Gateway.Bastion.Transfers;

/// <summary>The shapes of scp's control lines, as OpenSSH writes them (<c>C%04o %lld %s</c>, <c>T%lu 0 %lu 0</c>).</summary>
internal static class ScpControlLine
{
    /// <summary>A C (file) or D (directory) line: four octal mode digits, a size, a name.</summary>
    public static bool TryParseFile(string line, out long size, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? name)
    {
        size = 0;
        name = null;
        if (line.Length < 9 || line[5] != ' ') return false;
        for (int i = 1; i < 5; i++)
        {
            if (line[i] is < '0' or > '7') return false;
        }
        int space = line.IndexOf(' ', 6);
        if (space < 0 || space == line.Length - 1 || !IsDigits(line.AsSpan(6, space - 6))) return false;
        if (!long.TryParse(line.AsSpan(6, space - 6), System.Globalization.NumberStyles.None, null, out size)) return false;
        name = line[(space + 1)..];
        return true;
    }

    /// <summary>A T line: modification and access times, each seconds and microseconds.</summary>
    public static bool IsTimes(string line)
    {
        var fields = line[1..].Split(' ');
        return fields.Length == 4 && fields.All(f => IsDigits(f));
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > 20) return false;
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c)) return false;
        }
        return true;
    }
}
