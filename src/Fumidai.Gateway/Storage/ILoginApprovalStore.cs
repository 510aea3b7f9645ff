using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Storage;

/// <summary>Browser approvals of SSH logins, shared by every node (one asks, any console approves), and each role's second factor.</summary>
public interface ILoginApprovalStore
{
    Task AddLoginApprovalAsync(LoginApprovalRecord approval, CancellationToken cancellationToken = default);

    Task<LoginApprovalRecord?> GetLoginApprovalAsync(byte[] codeHash, CancellationToken cancellationToken = default);

    /// <summary>Approves or denies a pending, unexpired approval of <paramref name="user"/>; false when there is none to decide.</summary>
    Task<bool> DecideLoginApprovalAsync(byte[] codeHash, string user, bool approve, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Marks an approved, unexpired approval of this connection used; true exactly once.</summary>
    Task<bool> UseLoginApprovalAsync(byte[] codeHash, byte[] connectionHash, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Forgets approvals that expired before <paramref name="before"/>; returns how many.</summary>
    Task<int> DeleteLoginApprovalsAsync(DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>Sets how a role's holders give their second factor (<see cref="RoleAuthMethods"/>).</summary>
    Task SetRoleAuthAsync(string role, string method, CancellationToken cancellationToken = default);

    /// <summary>Every role with a second-factor setting (a role without one uses TOTP).</summary>
    Task<IReadOnlyDictionary<string, string>> ListRoleAuthAsync(CancellationToken cancellationToken = default);
}
