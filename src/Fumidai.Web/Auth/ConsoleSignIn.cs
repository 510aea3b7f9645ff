using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Server;

namespace Fumidai.Web.Auth;

/// <summary>The outcome of one sign-in: the user and her console role, or the message the form shows.</summary>
public sealed record SignInResult(ConsoleUser? User, string? Message);

/// <summary>
/// Password and TOTP for the console, on the same store rows as SSH logins: the same failure counters and lockout per user
/// and source, and the same TOTP step claim, so a code used over SSH is refused here and the other way round.
/// </summary>
/// <remarks>
/// Until the password is proven every refusal reads the same and costs the same Argon2 verify; only then is the user told
/// that her code was wrong or used, that she is locked, or that her roles do not open the console.
/// </remarks>
public sealed class ConsoleSignIn
{
    public const string WrongPassword = "Wrong user name or password.";
    public const string WrongCode = "Wrong verification code.";
    public const string ReusedCode = "This verification code was already used; wait for the next one.";
    public const string NoConsoleRole = "Only users with the admin or auditor role can sign in to the console.";
    private const int MaxField = 256;
    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash("dummy password 0123456789"));

    private readonly ICredentialStore _store;
    private readonly SecretProtector _secrets;
    private readonly IAuditLog _audit;
    private readonly SourceThrottle _throttle;
    private readonly int _lockoutThreshold;
    private readonly TimeSpan _lockoutDuration;
    private readonly TimeProvider _clock;

    public ConsoleSignIn(ICredentialStore store, SecretProtector secrets, IAuditLog audit, SourceThrottle throttle, int lockoutThreshold,
        TimeSpan lockoutDuration, TimeProvider? clock = null)
    {
        _store = store;
        _secrets = secrets;
        _audit = audit;
        _throttle = throttle;
        _lockoutThreshold = lockoutThreshold;
        _lockoutDuration = lockoutDuration;
        _clock = clock ?? TimeProvider.System;
    }

    public async Task<SignInResult> SignInAsync(string? name, string? password, string? code, IPAddress? remote, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        string address = remote?.ToString() ?? "unknown";
        string source = remote is null ? "unknown" : SourceKey.Of(remote);
        name = (name ?? "").Trim();
        password ??= "";
        code = (code ?? "").Trim();
        if (name.Length is 0 or > 64 || password.Length > MaxField || code.Length > 16 || name.Any(char.IsControl))
        {
            PasswordHasher.Verify(password.Length > MaxField ? "" : password, DummyHash.Value);
            await AuditAsync(AuditTypes.LoginFailure, null, address, "malformed sign-in form", cancellationToken).ConfigureAwait(false);
            return Refused(WrongPassword);
        }
        if (_throttle.IsThrottled(source, now))
        {
            await AuditAsync(AuditTypes.LoginFailure, name, address, "source throttled", cancellationToken).ConfigureAwait(false);
            return Refused("Too many failed sign-ins from this address; try again later.");
        }
        var user = await _store.GetUserAsync(name, cancellationToken).ConfigureAwait(false);
        bool passwordOk = PasswordHasher.Verify(password, user?.PasswordHash ?? DummyHash.Value) && user?.PasswordHash is not null;
        if (await _store.GetLockedUntilAsync(name, source, now, cancellationToken).ConfigureAwait(false) is { } until)
        {
            _throttle.RecordFailure(source, now);
            await AuditAsync(AuditTypes.LoginFailure, name, address, $"account locked until {until:u}", cancellationToken).ConfigureAwait(false);
            // Only the right password earns the notice: telling a guesser "locked" would confirm nothing, but it must not confirm more.
            return Refused(passwordOk ? LockedMessage(until) : WrongPassword);
        }
        if (user is null || !passwordOk || user.Disabled)
        {
            string reason = user is null ? "unknown user" : user.Disabled ? "user disabled"
                : user.PasswordHash is null ? "password given for a user without one" : "wrong password";
            var locked = await FailAsync(name, address, source, now, reason, AuditTypes.LoginFailure, user?.PasswordHash is not null, cancellationToken)
                .ConfigureAwait(false);
            return Refused(WrongPassword + (locked is { } l && passwordOk ? " " + LockedMessage(l) : ""));
        }
        if (ConsoleUser.ConsoleRole(user) is not { } role)
        {
            await AuditAsync(AuditTypes.LoginFailure, name, address, "no console role (admin or auditor)", cancellationToken).ConfigureAwait(false);
            return Refused(NoConsoleRole);
        }
        if (!user.HasTotp)
        {
            await AuditAsync(AuditTypes.LoginFailure, name, address, "no TOTP enrolled", cancellationToken).ConfigureAwait(false);
            return Refused("This account has no TOTP enrolled; ask an admin to run fumidai user reset-mfa.");
        }
        long? step;
        byte[] secret;
        try
        {
            secret = _secrets.Unprotect(user.EncryptedTotpSecret!, "totp:" + user.Name);
        }
        catch (CryptographicException)
        {
            await AuditAsync(AuditTypes.LoginFailure, name, address, "TOTP secret unreadable", cancellationToken).ConfigureAwait(false);
            return Refused(WrongCode);
        }
        try
        {
            step = TotpVerifier.Verify(secret, code, now);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
        if (step is null)
        {
            var locked = await FailAsync(name, address, source, now, "wrong verification code", AuditTypes.MfaFailure, true, cancellationToken)
                .ConfigureAwait(false);
            return Refused(WrongCode + (locked is { } l ? " " + LockedMessage(l) : ""));
        }
        if (!await _store.TryUseTotpStepAsync(user.Name, step.Value, cancellationToken).ConfigureAwait(false))
        {
            var locked = await FailAsync(name, address, source, now, "verification code already used", AuditTypes.MfaReplay, true, cancellationToken)
                .ConfigureAwait(false);
            return Refused(ReusedCode + (locked is { } l ? " " + LockedMessage(l) : ""));
        }
        await _store.ClearFailuresAsync(user.Name, source, cancellationToken).ConfigureAwait(false);
        await _audit.RecordAsync(AuditTypes.Login, AuditOutcome.Success, user.Name, address, null, new Dictionary<string, string>
        {
            ["method"] = "password+totp",
            ["via"] = "web",
            ["role"] = role,
        }, cancellationToken).ConfigureAwait(false);
        return new SignInResult(new ConsoleUser(user.Name, role), null);
    }

    /// <summary>What the form says to a user locked out from this address.</summary>
    public static string LockedMessage(DateTimeOffset until) => string.Create(CultureInfo.InvariantCulture,
        $"The account is locked after too many failed attempts from this address, until about {until.UtcDateTime:HH:mm} UTC.");

    private static SignInResult Refused(string message) => new(null, message);

    private async Task<DateTimeOffset?> FailAsync(string name, string address, string source, DateTimeOffset now, string reason, string type,
        bool count, CancellationToken cancellationToken)
    {
        _throttle.RecordFailure(source, now);
        await AuditAsync(type, name, address, reason, cancellationToken).ConfigureAwait(false);
        if (!count) return null;
        var (failures, locked) = await _store.RecordFailureAsync(name, source, _lockoutThreshold, _lockoutDuration, now, cancellationToken)
            .ConfigureAwait(false);
        if (!locked) return null;
        if (failures == _lockoutThreshold)
        {
            await _audit.RecordAsync(AuditTypes.Lockout, AuditOutcome.Failure, name, address, null, new Dictionary<string, string>
            {
                ["failures"] = failures.ToString(CultureInfo.InvariantCulture),
                ["duration"] = Gateway.Configuration.Duration.Format(_lockoutDuration),
                ["source"] = source,
                ["via"] = "web",
            }, cancellationToken).ConfigureAwait(false);
        }
        return now + _lockoutDuration;
    }

    private Task<AuditEvent> AuditAsync(string type, string? user, string address, string reason, CancellationToken cancellationToken) =>
        _audit.RecordAsync(type, AuditOutcome.Failure, user, address, null,
            new Dictionary<string, string> { ["method"] = "password+totp", ["via"] = "web", ["reason"] = reason }, cancellationToken);
}
