using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Targets;
using static Fumidai.Cli.Commands.TargetCheckCommand;

namespace Fumidai.Cli.Commands;

/// <summary>
/// The steps of <c>target check</c> for a target reached through its agent. Only a node the agent is connected to can open a
/// session to it, so the check reads what the nodes recorded (the agent's connections, the host keys it reported) rather than
/// dialling; the login itself is tried by the first session.
/// </summary>
internal static class TargetCheckAgent
{
    public static async Task<List<CheckStep>> RunAsync(MetadataStore store, TargetRecord target, CancellationToken cancellationToken)
    {
        var steps = new List<CheckStep>();
        var views = await TargetAgentView.LoadAsync(store, cancellationToken).ConfigureAwait(false);
        if (!views.TryGetValue(target.Name, out var view))
        {
            steps.Add(new("agent", false, "agent: this target has no agent registration",
                $"remove and add it again: fumidai target remove {target.Name}; fumidai target add {target.Name} --agent"));
            return steps;
        }
        string? hint = view.State switch
        {
            "connected" => null,
            "waiting-for-join" => $"start the agent on the target's host with its join token: fumidai agent --bastion HOST:PORT --token TOKEN --name {target.Name}",
            "token-expired" => $"its join token expired unused; remove and add the target again for a new one: fumidai target remove {target.Name}; fumidai target add {target.Name} --agent",
            "revoked" => $"its agent was revoked; remove and add the target again to let an agent rejoin",
            _ => "the agent is not connected to any node: check the agent's service on the target's host (systemctl status fumidai-agent) and that it reaches the bastion",
        };
        steps.Add(new("agent", hint is null, hint is null ? "agent connected: " + view.Summary : "agent: " + view.State, hint));
        if (hint is not null) return steps;
        if (target.HostKeys.Count == 0)
        {
            steps.Add(new("host-key", false, $"host keys: none pinned ({view.PendingHostKeys.Count} reported by the agent, waiting for an admin)",
                $"compare the fingerprints (fumidai target show {target.Name}) and pin them: fumidai target confirm-agent {target.Name}"));
            return steps;
        }
        steps.Add(new("host-key", true, $"{target.HostKeys.Count} host key(s) pinned from the agent's report", null));
        return steps;
    }
}
