namespace Fumidai.Gateway.Configuration;

/// <summary>Where this node finds the master key (AES-256-GCM, 32 raw bytes) that seals TOTP seeds, target keys and the cluster's keys.</summary>
public sealed class SecretsOptions
{
    /// <summary>
    /// Relative to the data directory, or absolute (e.g. a file provisioned by a secrets manager); every node of one
    /// cluster needs the same key. Set per node with <c>FUMIDAI__Secrets__MasterKeyFile</c>.
    /// </summary>
    public string MasterKeyFile { get; set; } = "master.key";
}
