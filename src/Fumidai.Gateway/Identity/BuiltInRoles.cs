namespace Fumidai.Gateway.Identity;

/// <summary>The built-in roles: admin manages, auditor reads recordings and audit, user connects.</summary>
public static class BuiltInRoles
{
    public const string Admin = "admin";
    public const string Auditor = "auditor";
    public const string User = "user";

    public static bool IsBuiltIn(string role) => role is Admin or Auditor or User;
}
