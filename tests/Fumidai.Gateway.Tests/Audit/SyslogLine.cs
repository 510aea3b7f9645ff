using System.Text;
using System.Text.RegularExpressions;

namespace Fumidai.Gateway.Tests.Audit;

/// <summary>One RFC 5424 message as the receiver wrote it: header fields and structured data, parsed independently of our formatter.</summary>
public sealed partial record SyslogLine(int Priority, string Timestamp, string Host, string App, string MsgId,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Data, string Message)
{
    public IReadOnlyDictionary<string, string> Audit => Data["audit@32473"];

    public IReadOnlyDictionary<string, string> Details =>
        Data.TryGetValue("details@32473", out var details) ? details : new Dictionary<string, string>();

    public long Seq => long.Parse(Audit["seq"], System.Globalization.CultureInfo.InvariantCulture);

    public static SyslogLine Parse(string line)
    {
        var header = Header().Match(line);
        if (!header.Success) throw new FormatException("not an RFC 5424 line: " + line);
        int at = header.Length;
        var data = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        while (at < line.Length && line[at] == '[')
        {
            int nameEnd = line.IndexOfAny([' ', ']'], at);
            string id = line[(at + 1)..nameEnd];
            var fields = new Dictionary<string, string>();
            at = nameEnd;
            while (line[at] == ' ')
            {
                int equals = line.IndexOf('=', at);
                string name = line[(at + 1)..equals];
                if (line[equals + 1] != '"') throw new FormatException("unquoted value in " + line);
                var value = new StringBuilder();
                at = equals + 2;
                while (line[at] != '"')
                {
                    if (line[at] == '\\' && line[at + 1] is '"' or '\\' or ']') at++;
                    value.Append(line[at++]);
                }
                fields[name] = value.ToString();
                at++;
            }
            if (line[at] != ']') throw new FormatException("unterminated element in " + line);
            data[id] = fields;
            at++;
        }
        return new SyslogLine(int.Parse(header.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), header.Groups[2].Value,
            header.Groups[3].Value, header.Groups[4].Value, header.Groups[5].Value, data, at < line.Length ? line[(at + 1)..] : "");
    }

    [GeneratedRegex(@"^<(\d{1,3})>1 (\S+) (\S+) (\S+) \S+ (\S+) ")]
    private static partial Regex Header();
}
