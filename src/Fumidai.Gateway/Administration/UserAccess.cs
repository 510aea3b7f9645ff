using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Administration;

/// <summary>Turning a user off and on, the same from the CLI and the console: the store change, the revocation that ends her connections, the audit.</summary>
public static class UserAccess
{
    /// <summary>The revocation reason when the admin gives none.</summary>
    public const string DefaultDisableReason = "disabled";

    /// <summary>
    /// Disables the user and asks every node to end her open connections and sessions (they act within seconds); audited
    /// <c>user.disable</c> with the reason and the previous state.
    /// </summary>
    public static async Task DisableAsync(MetadataStore store, IAuditLog audit, UserRecord user, string? reason, AdminActor actor,
        CancellationToken cancellationToken)
    {
        string why = string.IsNullOrWhiteSpace(reason) ? DefaultDisableReason : reason.Trim();
        if (AdminReason.Problem(why) is { } problem) throw new ArgumentException("reason: " + problem, nameof(reason));
        await store.SetUserDisabledAsync(user.Name, true, cancellationToken).ConfigureAwait(false);
        await store.AddRevocationAsync(RevocationScopes.User, user.Name, null, why, actor.Name, cancellationToken).ConfigureAwait(false);
        await actor.RecordAsync(audit, AuditTypes.AdminChange, "user.disable", user.Name, null, new Dictionary<string, string>
        {
            ["was"] = user.Disabled ? "disabled" : "enabled",
            ["reason"] = why,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Enables a disabled user; audited <c>user.enable</c> with the previous state.</summary>
    public static async Task EnableAsync(MetadataStore store, IAuditLog audit, UserRecord user, AdminActor actor, CancellationToken cancellationToken)
    {
        await store.SetUserDisabledAsync(user.Name, false, cancellationToken).ConfigureAwait(false);
        await actor.RecordAsync(audit, AuditTypes.AdminChange, "user.enable", user.Name, null, new Dictionary<string, string>
        {
            ["was"] = user.Disabled ? "disabled" : "enabled",
        }, cancellationToken).ConfigureAwait(false);
    }
}
