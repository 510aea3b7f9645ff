namespace Fumidai.Gateway.Identity;

/// <summary>An SSH login waiting for its holder to approve it in the browser: the code (hashed), the connection it belongs to, what she sees.</summary>
/// <param name="CodeHash">SHA-256 of the normalised code; the code itself is never stored.</param>
/// <param name="ConnectionHash">SHA-256 of a secret only the SSH connection that asked holds, so no other connection can use the approval.</param>
/// <param name="Status">One of <see cref="LoginApprovalStatus"/>.</param>
public sealed record LoginApprovalRecord(byte[] CodeHash, byte[] ConnectionHash, string UserName, string Source, string? Target, string? Login,
    string Node, DateTimeOffset Created, DateTimeOffset Expires, string Status, string? DecidedBy = null, DateTimeOffset? Decided = null);

/// <summary>Where an approval stands: waiting, approved or denied by its user in the browser, or used by its connection.</summary>
public static class LoginApprovalStatus
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Denied = "denied";
    public const string Used = "used";
}

/// <summary>How a role's holders give their second factor after key or password: a TOTP code, or an approval through the IdP.</summary>
public static class RoleAuthMethods
{
    public const string Totp = "totp";
    public const string Sso = "sso";

    public static readonly IReadOnlyList<string> All = [Totp, Sso];
}
