namespace Fumidai.Gateway.Agents;

/// <summary>Opens a stream to an agent target's sshd over its agent's connection to this node.</summary>
public interface IAgentTunnels
{
    /// <exception cref="Fumidai.Ssh.Client.SshConnectException">The target's agent is not connected to this node, or it refused.</exception>
    Task<AgentForward> OpenForwardAsync(string target, CancellationToken cancellationToken);
}
