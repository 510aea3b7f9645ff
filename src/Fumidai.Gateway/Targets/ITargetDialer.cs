using Fumidai.Ssh.Client;

namespace Fumidai.Gateway.Targets;

/// <summary>Opens the bastion's own SSH connection to a target, with a credential the operator never sees.</summary>
public interface ITargetDialer
{
    /// <summary>Connects and logs in as <paramref name="login"/> on behalf of <paramref name="user"/> for one session or forward.</summary>
    /// <exception cref="Fumidai.Ssh.SshConnectException">Unreachable or handshake failed.</exception>
    /// <exception cref="Fumidai.Ssh.SshHostKeyException">The target's host key differs from the pinned one.</exception>
    /// <exception cref="Fumidai.Ssh.Authentication.ClientAuthenticationException">The target refused the credential.</exception>
    Task<SshClient> DialAsync(TargetRecord target, string login, string user, string sessionId, TargetUse use, CancellationToken cancellationToken);

    /// <summary>For a client dialled through an agent: why that agent's connection ended, or null (still there, or a direct target).</summary>
    Task<string?> AgentLostAsync(SshClient client, TimeSpan grace) => Task.FromResult<string?>(null);
}
