using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Transport;

namespace Fumidai.Ssh.TestHost;

/// <summary>Credentials and algorithm settings of the test host.</summary>
public sealed class TestHostOptions
{
    /// <summary>Folder holding the host keys; missing keys are generated there.</summary>
    public required string HostKeyDirectory { get; init; }

    public int Port { get; init; }

    /// <summary>Public keys accepted for any user, as authorized_keys lines.</summary>
    public IReadOnlyList<string> AuthorizedKeys { get; init; } = [];

    /// <summary>Accepted password for any user, or null to refuse the password method.</summary>
    public string? Password { get; init; }

    /// <summary>Accepted keyboard-interactive answer, or null to refuse the method.</summary>
    public string? KeyboardInteractiveAnswer { get; init; }

    /// <summary>When set, a first factor must be followed by keyboard-interactive (partial success).</summary>
    public bool RequireSecondFactor { get; init; }

    public SshTransportSettings Transport { get; init; } = new();

    public ServerAuthenticationSettings Authentication { get; init; } = new() { FailureDelay = TimeSpan.FromMilliseconds(20) };

    public SshConnectionLimits Limits { get; init; } = SshConnectionLimits.Default;

    public string? Banner { get; init; }

    /// <summary>When set, the ed25519 host key is presented with a host certificate signed by this CA.</summary>
    public Keys.SshPrivateKey? HostCertificateAuthority { get; init; }

    /// <summary>Principals written into the host certificate.</summary>
    public IReadOnlyList<string> HostCertificatePrincipals { get; init; } = ["127.0.0.1", "localhost"];
}
