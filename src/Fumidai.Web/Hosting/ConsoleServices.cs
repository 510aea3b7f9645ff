using Fumidai.Gateway;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Storage;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;
using Fumidai.Web.Auth;

namespace Fumidai.Web.Hosting;

/// <summary>What the console's pages use: the metadata store, the audit log, the recording store and the audit key that verifies it.</summary>
public sealed class ConsoleServices
{
    public required DataDirectory Data { get; init; }

    public required FumidaiOptions Options { get; init; }

    public required MetadataStore Store { get; init; }

    public required AuditLog Audit { get; init; }

    public required IObjectStore Recordings { get; init; }

    public required IManifestVerifier AuditKey { get; init; }

    /// <summary>Screens of the sessions running in this process, streamed by the live view.</summary>
    public required LiveScreens LiveScreens { get; init; }

    public required ConsoleSignIn SignIn { get; init; }

    /// <summary>Calls to the cluster listeners of other nodes, for their sessions; null in tests that run no store of nodes.</summary>
    public Cluster.ClusterClient? Cluster { get; init; }

    /// <summary>Sign-in through the IdP; null while <c>Oidc:Authority</c> is not set.</summary>
    public OidcSignIn? Oidc { get; init; }

    /// <summary>Browser approvals of SSH logins; null while <c>Oidc:Authority</c> is not set.</summary>
    public Gateway.Identity.LoginApprovals? Approvals { get; init; }

    /// <summary>Wrong approval codes per address and per user.</summary>
    public ApprovalThrottle ApprovalThrottle { get; } = new();

    public TimeSpan IdleTimeout => Duration.Parse(Options.Web.IdleTimeout);

    public TimeSpan MaxSignIn => Duration.Parse(Options.Web.MaxSignIn);
}
