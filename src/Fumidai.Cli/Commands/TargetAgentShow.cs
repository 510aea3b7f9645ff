namespace Fumidai.Cli.Commands;

/// <summary>The agent part of <c>target show</c>: state, key, connections per node, host keys waiting for confirmation.</summary>
internal static class TargetAgentShow
{
    public static void Write(TextWriter o, string target, TargetAgentView agent)
    {
        o.WriteLine($"agent:      {agent.State}");
        if (agent.Key is not null) o.WriteLine($"agent key:  {agent.Key} (joined {agent.Joined})");
        else if (agent.TokenExpires is not null) o.WriteLine($"join token: valid until {agent.TokenExpires}");
        foreach (var c in agent.Connections) o.WriteLine($"  node {c.Node}: connected since {c.Since}, last seen {c.LastSeen}, version {c.Version}");
        if (agent.PendingHostKeys.Count == 0) return;
        o.WriteLine("host keys reported by the agent, not pinned yet:");
        foreach (var key in agent.PendingHostKeys) o.WriteLine($"  {key.Type} {key.Fingerprint}");
        o.WriteLine($"pin them with: fumidai target confirm-agent {target}");
    }
}
