namespace Fumidai.Gateway.Audit.Alerts;

/// <summary>Which audit events need a human now, and the alert kind each becomes; every other event is no alert.</summary>
public static class AlertRules
{
    public const string AccountLocked = "account-locked";
    public const string Revocation = "revocation";
    public const string RecordingFailure = "recording-failure";
    public const string StrictModeRefusal = "strict-mode-refusal";
    public const string Tamper = "tamper";
    public const string HostKeyMismatch = "host-key-mismatch";
    public const string AdminRoleChange = "admin-role-change";
    public const string NodeLost = "node-lost";
    public const string ExportBacklog = "export-backlog";

    /// <summary>Admin actions that take access away from someone who may be using it.</summary>
    private static readonly HashSet<string> RevokingActions = new(StringComparer.Ordinal)
    {
        "user.disable", "user.remove", "user.reset-mfa", "user.revoke-certs", "sessions.kill", "web.terminate",
    };

    public static string? Classify(AuditEvent e)
    {
        string Detail(string key) => e.Details.TryGetValue(key, out var value) ? value : "";
        return e.Type switch
        {
            AuditTypes.Lockout => AccountLocked,
            AuditTypes.CertificatesRevoked or AuditTypes.MfaReset => Revocation,
            AuditTypes.AdminChange when RevokingActions.Contains(Detail("action")) => Revocation,
            AuditTypes.AdminChange when Detail("action").StartsWith("role.", StringComparison.Ordinal)
                || (Detail("action") is "user.add" or "user.set" && e.Details.ContainsKey("roles")) => AdminRoleChange,
            AuditTypes.RecordingFailure => RecordingFailure,
            AuditTypes.ExportBacklog => ExportBacklog,
            AuditTypes.SessionEnd when Detail("reason") is "recording-failure" or "recording-unavailable" => RecordingFailure,
            AuditTypes.RequestDenied when Detail("reason").Contains("strict mode", StringComparison.Ordinal) => StrictModeRefusal,
            AuditTypes.RecordingAccess when Detail("action") == "verify" && Detail("failed") is { Length: > 0 } failed && failed != "0" => Tamper,
            AuditTypes.TargetFailure when Detail("error").Contains("host key", StringComparison.Ordinal) => HostKeyMismatch,
            AuditTypes.SessionEnd when Detail("reason") == "interrupted" && e.Details.ContainsKey("marked_by") => NodeLost,
            _ => null,
        };
    }
}
