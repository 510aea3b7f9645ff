using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Lifecycle;
using Fumidai.Gateway.Storage;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Identity.Idp;

/// <summary>
/// <c>fumidai serve</c>'s periodic <see cref="LeaverSync"/>: every <c>Oidc:SyncInterval</c>, on one node of a cluster (a
/// lease), so an IdP that rotates refresh tokens sees each token used once.
/// </summary>
public sealed class LeaverSyncLoop(MetadataStore store, IAuditLog audit, OidcOptions options, SecretProtector protector, TimeSpan interval,
    ClusterLease? lease, ILogger logger)
{
    /// <summary>The lease's name: one node asks the IdP at a time.</summary>
    public const string LeaseName = "idp-sync";

    /// <summary>The actor named in the audit of what the periodic check changes.</summary>
    public static readonly AdminActor Actor = new("idp-sync", "serve");

    /// <summary>Runs the periodic check when the IdP is configured and its interval is not off; otherwise a finished task.</summary>
    public static Task StartIfConfigured(FumidaiOptions options, MetadataStore store, IAuditLog audit, SecretProtector protector, string node,
        ILogger logger, CancellationToken cancellationToken)
    {
        if (!options.Oidc.Enabled || options.Oidc.SyncEvery is not { } interval) return Task.CompletedTask;
        var lease = options.Metadata.IsPostgres ? new ClusterLease(store, LeaseName, node, interval + TimeSpan.FromMinutes(1)) : null;
        return new LeaverSyncLoop(store, audit, options.Oidc, protector, interval, lease, logger).RunAsync(cancellationToken);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var idp = new IdpClient(options);
        var sync = new LeaverSync(store, audit, options, protector, idp, Actor);
        while (true)
        {
            try
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                if (lease is not null && !await lease.TryHoldAsync(cancellationToken).ConfigureAwait(false)) continue;
                var results = await sync.RunAsync(null, cancellationToken).ConfigureAwait(false);
                foreach (var failed in results.Where(r => r.Status == LeaverSync.Error))
                    logger.LogWarning("IdP sync of {User} failed: {Reason}", failed.User, failed.Reason);
                foreach (var changed in results.Where(r => r.Status is LeaverSync.Disabled or LeaverSync.RolesChanged))
                    logger.LogInformation("IdP sync: {User} {Status}", changed.User, changed.Status);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or InvalidOperationException or TimeoutException)
            {
                // A busy store delays the check by one round; nobody is changed by a failed one.
                logger.LogWarning("IdP sync failed: {Message}", ex.Message);
            }
        }
    }
}
