using System.Text.RegularExpressions;

namespace Fumidai.Gateway.Configuration;

/// <summary>This bastion node among several sharing one database: its name and how its liveness is judged.</summary>
public sealed partial class NodeOptions
{
    /// <summary>Unique among the nodes of one database; default: the host name (letters, digits and '-').</summary>
    public string Name { get; set; } = DefaultName();

    /// <summary>How often the node writes its heartbeat and looks for nodes that stopped writing theirs.</summary>
    public string HeartbeatInterval { get; set; } = "5s";

    /// <summary>A node silent this long is taken for dead: its running sessions are marked interrupted by the others.</summary>
    public string DeadAfter { get; set; } = "30s";

    /// <summary>The host name, restricted to what node names allow (it names audit periods and spool files too).</summary>
    public static string DefaultName()
    {
        var name = new string(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return name.Length == 0 ? "node" : name[..Math.Min(name.Length, 40)];
    }

    /// <summary>Each problem starts with the key it is about, so the caller can locate it.</summary>
    public IEnumerable<string> Validate()
    {
        if (!NamePattern().IsMatch(Name ?? ""))
            yield return $"Node:Name = '{Name}' must be 1 to 40 letters, digits or '-', starting with a letter or digit";
        if (Configuration.Duration.TryParse(HeartbeatInterval, out var interval) && Configuration.Duration.TryParse(DeadAfter, out var dead)
            && interval > TimeSpan.Zero && dead < 3 * interval)
            yield return $"Node:DeadAfter = '{DeadAfter}' must be at least three Node:HeartbeatInterval ('{HeartbeatInterval}'), or live nodes look dead";
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")]
    private static partial Regex NamePattern();
}
