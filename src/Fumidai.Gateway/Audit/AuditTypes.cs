namespace Fumidai.Gateway.Audit;

/// <summary>Audit event type names (PCI DSS 10.2.1, 10.2.2); stable strings that reports and tests filter on.</summary>
public static class AuditTypes
{
    public const string Login = "login";
    public const string LoginFailure = "login.failure";
    public const string Lockout = "login.lockout";
    public const string MfaFailure = "mfa.failure";
    public const string MfaReplay = "mfa.replay";
    public const string MfaEnrolled = "mfa.enrolled";
    public const string MfaReset = "mfa.reset";
    public const string SessionStart = "session.start";
    public const string SessionEnd = "session.end";
    public const string Exec = "session.exec";
    public const string FileTransfer = "session.file";
    public const string RequestDenied = "request.denied";
    public const string PortForward = "session.forward";

    /// <summary>The bastion ended an operator's connection itself: idle, too old, or access revoked.</summary>
    public const string ConnectionEnd = "connection.end";
    public const string TargetFailure = "target.failure";
    public const string TargetCheck = "target.check";
    public const string AdminChange = "admin.change";
    public const string RecordingAccess = "recording.access";
    public const string RecordingFailure = "recording.failure";

    /// <summary>The recording store accepts writes again after an outage (PCI DSS 10.7.2: failures and their end).</summary>
    public const string StorageRecovered = "storage.recovered";
    public const string Unlock = "login.unlock";

    /// <summary>A login certificate was issued after key + TOTP (serial, key, lifetime).</summary>
    public const string CertificateIssued = "login.certificate";

    /// <summary>An admin revoked a user's login certificates.</summary>
    public const string CertificatesRevoked = "login.certificate.revoke";

    /// <summary>An SSH login's holder approved or denied it in the browser, or its code expired or was refused there.</summary>
    public const string LoginApproval = "login.approval";

    /// <summary>A user was checked against the IdP without her: still there, roles changed, left, or the check failed (detail <c>result</c>).</summary>
    public const string IdpSync = "idp.sync";
    /// <summary>An audit export (syslog, stdout, webhook) has fallen behind past its warning threshold: the receiver is down or slow.</summary>
    public const string ExportBacklog = "audit.export.backlog";
    public const string ServiceStart = "service.start";
    public const string AgentJoin = "agent.join";
    public const string AgentConnect = "agent.connect";
    public const string AgentDisconnect = "agent.disconnect";
    public const string AgentRefused = "agent.refused";
    public const string AgentHostKeys = "agent.host-keys";
    public const string ServiceStop = "service.stop";
}
