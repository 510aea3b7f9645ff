using System.Security.Cryptography;
using System.Text;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Identity;

/// <summary>What the SSH side learns when the operator presses Enter.</summary>
public enum ApprovalState
{
    Approved,
    Pending,
    Denied,
    Expired,
    /// <summary>Unknown, already used, or asked for by another connection: nothing this connection may act on.</summary>
    Invalid,
}

/// <summary>
/// Codes that let the holder of an SSH login approve it in the browser: random, eight characters of a 32-letter alphabet
/// (40 bits), stored only as a hash, valid for a short lifetime, usable once and only by the connection that asked.
/// </summary>
public sealed class LoginApprovals
{
    /// <summary>Letters and digits that cannot be mistaken for one another (no 0/O, 1/I).</summary>
    public const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public const int CodeLength = 8;

    /// <summary>The default time an operator has to approve.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(2);

    private readonly ILoginApprovalStore _store;
    private readonly TimeProvider _clock;

    public LoginApprovals(ILoginApprovalStore store, TimeSpan lifetime, string node, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        _store = store;
        Lifetime = lifetime;
        Node = node;
        _clock = clock ?? TimeProvider.System;
    }

    public TimeSpan Lifetime { get; }

    public string Node { get; }

    /// <summary>A fresh code, shown as <c>ABCD-EFGH</c>.</summary>
    public static string NewCode()
    {
        Span<char> code = stackalloc char[CodeLength + 1];
        int at = 0;
        for (int i = 0; i < CodeLength; i++)
        {
            if (i == CodeLength / 2) code[at++] = '-';
            code[at++] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }
        return new string(code);
    }

    /// <summary>The code as typed, without case, spaces or dashes; null when it cannot be one of ours.</summary>
    public static string? Normalize(string? typed)
    {
        if (typed is null || typed.Length > 32) return null;
        var text = new StringBuilder(CodeLength);
        foreach (char c in typed)
        {
            if (c is '-' or ' ') continue;
            char upper = char.ToUpperInvariant(c);
            if (!Alphabet.Contains(upper, StringComparison.Ordinal) || text.Length == CodeLength) return null;
            text.Append(upper);
        }
        return text.Length == CodeLength ? text.ToString() : null;
    }

    /// <summary>What the store keeps of a code (null for text that is no code).</summary>
    public static byte[]? Hash(string? typed) =>
        Normalize(typed) is { } code ? SHA256.HashData(Encoding.ASCII.GetBytes("fumidai-login-approval:" + code)) : null;

    /// <summary>What the store keeps of a connection's secret.</summary>
    public static byte[] ConnectionHash(byte[] secret) => SHA256.HashData(secret);

    /// <summary>A secret for one SSH connection, held in its memory only.</summary>
    public static byte[] NewConnectionSecret() => RandomNumberGenerator.GetBytes(32);

    /// <summary>Stores a new pending approval for this connection and returns the code to show.</summary>
    public async Task<(string Code, DateTimeOffset Expires)> RequestAsync(string user, string source, string? target, string? login,
        byte[] connectionSecret, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        // Old rows go when new ones come: the table holds a few minutes of logins, whichever node tidies.
        await _store.DeleteLoginApprovalsAsync(now - TimeSpan.FromHours(1), cancellationToken).ConfigureAwait(false);
        string code = NewCode();
        var expires = now + Lifetime;
        await _store.AddLoginApprovalAsync(new LoginApprovalRecord(Hash(code)!, ConnectionHash(connectionSecret), user, source, target, login, Node,
            now, expires, LoginApprovalStatus.Pending), cancellationToken).ConfigureAwait(false);
        return (code, expires);
    }

    /// <summary>Where the approval of <paramref name="code"/> stands for this connection; an approved one is used up by this call.</summary>
    public async Task<(ApprovalState State, LoginApprovalRecord? Record)> CheckAsync(string code, byte[] connectionSecret, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        if (Hash(code) is not { } hash) return (ApprovalState.Invalid, null);
        var record = await _store.GetLoginApprovalAsync(hash, cancellationToken).ConfigureAwait(false);
        var connection = ConnectionHash(connectionSecret);
        if (record is null || !CryptographicOperations.FixedTimeEquals(record.CodeHash, hash)
            || !CryptographicOperations.FixedTimeEquals(record.ConnectionHash, connection))
            return (ApprovalState.Invalid, null);
        if (record.Status == LoginApprovalStatus.Denied) return (ApprovalState.Denied, record);
        if (record.Expires <= now) return (ApprovalState.Expired, record);
        return record.Status switch
        {
            LoginApprovalStatus.Pending => (ApprovalState.Pending, record),
            LoginApprovalStatus.Approved when await _store.UseLoginApprovalAsync(hash, connection, now, cancellationToken).ConfigureAwait(false)
                => (ApprovalState.Approved, record),
            _ => (ApprovalState.Invalid, record),
        };
    }

    /// <summary>The pending approval <paramref name="typed"/> names, if it is <paramref name="approver"/>'s and still open; else why not.</summary>
    public async Task<(LoginApprovalRecord? Record, string? Refusal)> FindForApproverAsync(string? typed, string approver, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        if (Hash(typed) is not { } hash) return (null, "not a code");
        var record = await _store.GetLoginApprovalAsync(hash, cancellationToken).ConfigureAwait(false);
        if (record is null || !CryptographicOperations.FixedTimeEquals(record.CodeHash, hash)) return (null, "unknown code");
        if (!string.Equals(record.UserName, approver, StringComparison.Ordinal)) return (null, $"code of another user ({record.UserName})");
        if (record.Status != LoginApprovalStatus.Pending) return (null, "code already " + record.Status);
        if (record.Expires <= now) return (null, "code expired");
        return (record, null);
    }

    /// <summary>Records her decision; false when the approval is no longer open (decided, expired, or not hers).</summary>
    public Task<bool> DecideAsync(string typed, string approver, bool approve, CancellationToken cancellationToken) =>
        Hash(typed) is { } hash
            ? _store.DecideLoginApprovalAsync(hash, approver, approve, _clock.GetUtcNow(), cancellationToken)
            : Task.FromResult(false);

    /// <summary>Whether any role of the user takes a browser approval instead of a TOTP code.</summary>
    public async Task<bool> RequiredForAsync(UserRecord user, CancellationToken cancellationToken)
    {
        var methods = await _store.ListRoleAuthAsync(cancellationToken).ConfigureAwait(false);
        return user.Roles.Any(r => methods.TryGetValue(r, out var m) && m == RoleAuthMethods.Sso);
    }
}
