using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Gateway.Configuration;

/// <summary>The bastion's configuration (fumidai.json in the data directory, overridable by FUMIDAI__Section__Key).</summary>
public sealed class FumidaiOptions
{
    public SshOptions Ssh { get; set; } = new();

    public SecurityOptions Security { get; set; } = new();

    public SessionOptions Sessions { get; set; } = new();

    public TargetOptions Targets { get; set; } = new();

    public RecordingOptions Recording { get; set; } = new();

    public WebOptions Web { get; set; } = new();

    public OidcOptions Oidc { get; set; } = new();

    public MetadataOptions Metadata { get; set; } = new();

    public NodeOptions Node { get; set; } = new();

    public AuditOptions Audit { get; set; } = new();

    public AlertOptions Alerts { get; set; } = new();

    public ReviewOptions Review { get; set; } = new();

    public HealthOptions Health { get; set; } = new();

    public SecretsOptions Secrets { get; set; } = new();

    public AgentsOptions Agents { get; set; } = new();

    public ClusterOptions Cluster { get; set; } = new();
}

/// <summary>The SSH listener and its algorithm lists (empty lists mean the strong defaults).</summary>
public sealed class SshOptions
{
    public string Listen { get; set; } = "0.0.0.0:2222";

    public string LoginGraceTime { get; set; } = "30s";

    public int MaxAuthTries { get; set; } = 6;

    public int MaxUnauthenticated { get; set; } = 100;

    /// <summary>Connections that may wait for one of the <see cref="MaxUnauthenticated"/> slots, within the login grace time.</summary>
    public int MaxQueued { get; set; } = 1000;

    public string Banner { get; set; } = "This system is for authorised use only. All sessions are recorded and audited.";

    public List<string> KexAlgorithms { get; set; } = [];

    public List<string> Ciphers { get; set; } = [];

    public List<string> Macs { get; set; } = [];

    public List<string> HostKeyAlgorithms { get; set; } = [];

    /// <summary>Connections come through a load balancer that sends a PROXY protocol (v1 or v2) header naming the client.</summary>
    public bool ProxyProtocol { get; set; }

    /// <summary>Addresses or CIDRs of the load balancers allowed to send that header (required with <see cref="ProxyProtocol"/>).</summary>
    public List<string> TrustedProxies { get; set; } = [];
}

/// <summary>Lockout and throttling (PCI DSS 8.3.4): may only be made stricter than the defaults.</summary>
public sealed class SecurityOptions
{
    public int LockoutThreshold { get; set; } = 10;

    public string LockoutDuration { get; set; } = "30m";

    /// <summary>Failed attempts from one source address within <see cref="SourceWindow"/> before it is refused.</summary>
    public int SourceFailureLimit { get; set; } = 30;

    public string SourceWindow { get; set; } = "5m";
}

/// <summary>Session limits (PCI DSS 8.2.8): idle timeout and an optional maximum duration; how long a stop lets sessions finish.</summary>
public sealed class SessionOptions
{
    public string IdleTimeout { get; set; } = "15m";

    public string? MaxSession { get; set; }

    /// <summary>After SIGTERM, how long running sessions may go on before they are cut (a second SIGTERM cuts at once).</summary>
    public string DrainTimeout { get; set; } = "60s";
}

/// <summary>How the bastion reaches targets.</summary>
public sealed class TargetOptions
{
    public string ConnectTimeout { get; set; } = "10s";

    public string CertificateLifetime { get; set; } = "5m";

    /// <summary>
    /// The <c>source-address</c> bound into target certificates, so a stolen one is useless from elsewhere: <c>auto</c>
    /// (the local address of each connection to the target), addresses or CIDRs as the target sees the bastion (behind
    /// NAT), or empty for none.
    /// </summary>
    public string CertificateSourceAddress { get; set; } = "auto";

    /// <summary>
    /// Idle time after which the kernel probes a target connection (TCP keepalive; <c>0s</c> turns it off): finds a
    /// target host that vanished and keeps firewall state alive, without waking the bastion.
    /// </summary>
    public string TcpKeepalive { get; set; } = "30s";

    /// <summary>
    /// Interval of SSH keepalives to targets (<c>0s</c> turns them off); three unanswered end the session. They also catch
    /// an sshd that hangs on a host that still answers TCP, but each one wakes the bastion, so they are rarer.
    /// </summary>
    public string KeepaliveInterval { get; set; } = "5m";
}

/// <summary>How the node watches the connections of agents (targets without an inbound port).</summary>
public sealed class AgentsOptions
{
    /// <summary>
    /// Interval of SSH keepalives to each connected agent (<c>0s</c> turns them off); three unanswered drop the agent, so a
    /// hung agent or a vanished host shows as disconnected and sessions are not sent into it.
    /// </summary>
    public string KeepaliveInterval { get; set; } = "15s";
}

/// <summary>Where recordings go and what happens when they cannot be written.</summary>
public sealed class RecordingOptions
{
    /// <summary><c>file</c> (default, in the data directory) or <c>s3</c>.</summary>
    public string Store { get; set; } = "file";

    /// <summary><c>best-effort</c> (default) or <c>strict</c> (fail closed).</summary>
    public string Mode { get; set; } = "best-effort";

    /// <summary>The bucket and how to write to it when <see cref="Store"/> is <c>s3</c> (keys <c>Recording:S3:*</c>).</summary>
    public S3ObjectStoreOptions S3 { get; set; } = new();

    /// <summary>Uncompressed asciicast KiB after which a chunk is sealed (also once quiet for 5 s, and at <see cref="MaxChunkAgeSeconds"/>).</summary>
    public int ChunkKiB { get; set; } = ChunkingOptions.DefaultMaxChunkBytes / 1024;

    /// <summary>Seconds after which a busy session's chunk is sealed anyway: how far the store may lag behind it.</summary>
    public int MaxChunkAgeSeconds { get; set; } = (int)ChunkingOptions.DefaultMaxChunkAge.TotalSeconds;

    public bool IsStrict => Mode == "strict";
}
