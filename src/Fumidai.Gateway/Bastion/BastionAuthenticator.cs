using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Server;
using Microsoft.Extensions.Logging;
using Fumidai.Ssh.Wire;

namespace Fumidai.Gateway.Bastion;

/// <summary>
/// Two factors for every login (PCI DSS 8.4, 8.5.1): a public key or password, then a TOTP code through
/// keyboard-interactive. Lockout after consecutive failures per user and source, per-source throttling, single use of each code.
/// </summary>
/// <remarks>
/// Before the first factor every refusal looks the same: no notice, the same work (an Argon2 verify for every password,
/// whether or not the user exists or has a password) and the server's uniform failure delay. Once the first factor has
/// proven who she is, the operator is told why she is refused (wrong code, code already used, locked) in a banner.
/// </remarks>
public sealed partial class BastionAuthenticator : IServerAuthenticator
{
    public const string CodePrompt = "Verification code: ";
    public const string WrongCodeNotice = "Fumidai: wrong verification code.\r\n";
    public const string ReplayedCodeNotice = "Fumidai: this verification code was already used; wait for the next one.\r\n";
    private static readonly string[] FirstFactors = [AuthenticationMethods.PublicKey, AuthenticationMethods.Password];
    private static readonly string[] SecondFactor = [AuthenticationMethods.KeyboardInteractive];
    private static readonly string[] SecondFactorOrCertificate = [AuthenticationMethods.KeyboardInteractive, AuthenticationMethods.PublicKey];

    // A hash to verify against when the user does not exist or has no password, so the answer takes as long either way.
    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash("dummy password 0123456789"));

    private readonly ICredentialStore _store;
    private readonly SecretProtector _secrets;
    private readonly IAuditLog _audit;
    private readonly SourceThrottle _throttle;
    private readonly int _lockoutThreshold;
    private readonly TimeSpan _lockoutDuration;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;

    // The code that last failed on each connection: the same code typed again is one mistake, not another guess.
    private readonly ConditionalWeakTable<AuthenticationContext, byte[]> _lastFailedCode = new();

    // The connections that were asked for a code already (see AuthenticateAsync: only the first code skips the read before it).
    private readonly ConditionalWeakTable<AuthenticationContext, BastionLogin> _codeAsked = new();

    public BastionAuthenticator(ICredentialStore store, SecretProtector secrets, IAuditLog audit, SourceThrottle throttle,
        int lockoutThreshold, TimeSpan lockoutDuration, ILogger logger, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _store = store;
        _secrets = secrets;
        _audit = audit;
        _throttle = throttle;
        _lockoutThreshold = lockoutThreshold;
        _lockoutDuration = lockoutDuration;
        _logger = logger;
    }

    /// <summary>What the operator is told when logins from her address are locked (only after her first factor).</summary>
    public static string LockedNotice(DateTimeOffset until)
    {
        // Rounded up to the minute: "about", and no seconds that would suggest a precision the operator cannot use.
        var minute = new DateTimeOffset(until.UtcTicks - until.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
        return string.Create(CultureInfo.InvariantCulture,
            $"Fumidai: account locked after too many failed attempts from this address, until about {minute:HH:mm} UTC ({minute:yyyy-MM-dd}).\r\n");
    }

    public async ValueTask<AuthenticationDecision> AuthenticateAsync(AuthenticationAttempt attempt, AuthenticationContext context,
        CancellationToken cancellationToken)
    {
        var call = new Attempt(attempt, context, SourceOf(context.RemoteEndPoint), SourceKey.Of(context.RemoteEndPoint)) { Now = _clock.GetUtcNow() };
        bool firstDone = context.State is BastionLogin;
        var next = firstDone ? SecondFactor : FirstFactors;
        if (attempt is NoneAttempt)
        {
            // The server asks once per user name; a name with control characters goes no further, so it is audited here, escaped.
            if (ControlText.IndexOfUnsafe(attempt.UserName) >= 0)
                await FailAsync(call, null, "user name with control characters", countForLockout: false, cancellationToken).ConfigureAwait(false);
            return AuthenticationDecision.Failure(next);
        }
        if (!LoginName.TryParse(attempt.UserName, out var name))
        {
            await FailAsync(call, null, "invalid user name", countForLockout: false, cancellationToken).ConfigureAwait(false);
            return AuthenticationDecision.Failure(next);
        }
        if (_throttle.IsThrottled(call.SourceKey, call.Now))
        {
            await _audit.RecordAsync(AuditTypes.LoginFailure, AuditOutcome.Failure, name!.User, call.Address, name.Target,
                Details(attempt, "source throttled"), cancellationToken).ConfigureAwait(false);
            return AuthenticationDecision.Failure(next);
        }
        // The first code asked for on a connection comes right after its first factor, whose read (account, lock from this
        // source) stands for this one: the code's step is used with a fresh read of both before any success, so a lock or a
        // disabling in between still refuses it. Any later code reads again first, so a lock its predecessors set is told.
        if (attempt is KeyboardInteractiveAttempt firstCode && context.State is BastionLogin { ByApproval: false } pending
            && pending.Name.User == name!.User && _codeAsked.TryAdd(context, pending))
            return await SecondFactorAsync(call, firstCode, pending, cancellationToken).ConfigureAwait(false);
        var facts = await LoginFacts.GetLoginFactsAsync(name!.User, call.SourceKey, call.Now, cancellationToken).ConfigureAwait(false);
        var user = facts.User;
        if (facts.LockedUntil is { } until)
            return await LockedAsync(call, facts, name, until, cancellationToken).ConfigureAwait(false);
        switch (attempt)
        {
            case RefusedCertificateAttempt refused:
                // One of ours gone stale (expired, another address) says nothing about guessing; anything else counts
                // against the address like any other failed first factor.
                await FailAsync(call, name, "certificate: " + refused.Reason, countForLockout: false, cancellationToken,
                    countForThrottle: !refused.FromTrustedCa).ConfigureAwait(false);
                return AuthenticationDecision.Failure(next);
            case PublicKeyAttempt { Key: SshCertificate certificate }:
                return await CertificateLoginAsync(call, facts, name, certificate, cancellationToken).ConfigureAwait(false);
            case PublicKeyAttempt pk when !firstDone:
            {
                if (KeyRefusal(facts, pk) is { } reason)
                {
                    await FailAsync(call, name, reason, countForLockout: false, cancellationToken).ConfigureAwait(false);
                    return AuthenticationDecision.Failure(next);
                }
                if (MachineAddresses(facts) is { } allowed)
                    return await MachineLoginAsync(call, user!, name, pk.Key, allowed, null, cancellationToken).ConfigureAwait(false);
                return await FirstFactorDoneAsync(call, user!, name, "publickey", pk.Key, cancellationToken).ConfigureAwait(false);
            }
            case PasswordAttempt pw when !firstDone:
            {
                bool ok = VerifyPassword(user, pw.Password);
                if (user is null || !ok || user.Disabled)
                {
                    // Only a user who has a password can have it guessed: counting guesses against a key-only user would let
                    // anyone lock her out. The audit keeps the precise reason; the client sees the same failure either way.
                    string reason = user is null ? "unknown user" : user.Disabled ? "user disabled"
                        : user.PasswordHash is null ? "password given for a user without one" : "wrong password";
                    await FailAsync(call, name, reason, countForLockout: user?.PasswordHash is not null, cancellationToken).ConfigureAwait(false);
                    return AuthenticationDecision.Failure(next);
                }
                return await FirstFactorDoneAsync(call, user, name, "password", null, cancellationToken).ConfigureAwait(false);
            }
            case KeyboardInteractiveAttempt ki when context.State is BastionLogin login:
                return await SecondFactorAsync(call, ki, login, cancellationToken).ConfigureAwait(false);
            default:
                return AuthenticationDecision.Failure(next);
        }
    }

    /// <summary>Signs certificates after key + TOTP and checks them at login; null: certificates are refused.</summary>
    public LoginCertificateAuthority? LoginCertificates { get; init; }

    /// <summary>
    /// A login certificate is both factors while it is valid: it was issued after key + TOTP, and every check that made
    /// that login good is made again here (the authority's checks; the lock was checked before).
    /// </summary>
    private async Task<AuthenticationDecision> CertificateLoginAsync(Attempt call, LoginFacts facts, LoginName name, SshCertificate certificate,
        CancellationToken cancellationToken)
    {
        var user = facts.User;
        var (record, refusal) = LoginCertificates is null
            ? (null, "login certificates are not accepted")
            : await LoginCertificates.CheckAsync(certificate, user, name.User, call.Address, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            // Only the login CA's certificates reach here (the SSH layer checked the signature): nobody can guess one, so a stale
            // one in ~/.ssh (revoked, key removed) is no reason to throttle her address.
            await FailAsync(call, name, "certificate: " + refusal, countForLockout: false, cancellationToken, countForThrottle: false).ConfigureAwait(false);
            return AuthenticationDecision.Failure(call.Context.State is BastionLogin ? SecondFactor : FirstFactors);
        }
        if (MachineAddresses(facts) is { } allowed)
            return await MachineLoginAsync(call, user!, name, certificate.Key, allowed, record, cancellationToken).ConfigureAwait(false);
        call.Context.State = new BastionLogin(user!, name, "certificate", certificate.Key.Fingerprint) { Key = certificate.Key, Certificate = record };
        await _audit.RecordAsync(AuditTypes.Login, AuditOutcome.Success, user!.Name, call.Address, name.Target, new Dictionary<string, string>
        {
            ["method"] = "certificate",
            ["key"] = certificate.Key.Fingerprint,
            ["serial"] = record.Serial.ToString(CultureInfo.InvariantCulture),
            ["issued"] = record.Issued.ToString("u", CultureInfo.InvariantCulture),
        }, cancellationToken).ConfigureAwait(false);
        return AuthenticationDecision.Success;
    }

    /// <summary>Tells machine accounts apart; null: every user is a person.</summary>
    public IMachineAccountStore? MachineAccounts { get; init; }

    private string? MachineAddresses(LoginFacts facts) => MachineAccounts is null ? null : facts.MachineAllowedFrom;

    /// <summary>Reads a login step's facts in one go; by default the separate reads of the credential and machine-account stores.</summary>
    public ILoginFactsStore LoginFacts
    {
        get => _loginFacts ??= new SeparateLoginFacts(_store, null, MachineAccounts);
        init => _loginFacts = value;
    }

    private ILoginFactsStore? _loginFacts;

    /// <summary>
    /// A machine account has no code to type: its key (or certificate) is the login, so where it comes from is the other
    /// condition. Outside its addresses it is refused like any unknown key, and the audit says why.
    /// </summary>
    private async Task<AuthenticationDecision> MachineLoginAsync(Attempt call, UserRecord user, LoginName name, SshPublicKey key, string allowed,
        LoginCertificateRecord? certificate, CancellationToken cancellationToken)
    {
        bool inside;
        try
        {
            inside = IPAddress.TryParse(call.Address, out var address) && Ssh.Keys.AddressList.Contains(allowed, address);
        }
        catch (FormatException)
        {
            inside = false;
        }
        if (!inside)
        {
            await FailAsync(call, name, "machine account outside its allowed addresses", countForLockout: false, cancellationToken).ConfigureAwait(false);
            return AuthenticationDecision.Failure(FirstFactors);
        }
        string method = certificate is null ? "publickey" : "certificate";
        call.Context.State = new BastionLogin(user, name, method, key.Fingerprint) { Key = key, Certificate = certificate, Machine = true };
        var details = new Dictionary<string, string> { ["method"] = method, ["key"] = key.Fingerprint, ["account"] = "machine" };
        if (certificate is not null) details["serial"] = certificate.Serial.ToString(CultureInfo.InvariantCulture);
        await _audit.RecordAsync(AuditTypes.Login, AuditOutcome.Success, user.Name, call.Address, name.Target, details, cancellationToken).ConfigureAwait(false);
        return AuthenticationDecision.Success;
    }

    /// <summary>Every password attempt costs one Argon2 verify, whatever the user; true only for her own, non-empty hash.</summary>
    private static bool VerifyPassword(UserRecord? user, string password)
    {
        bool ok = PasswordHasher.Verify(password, user?.PasswordHash ?? DummyHash.Value);
        return ok && user?.PasswordHash is not null;
    }

    private static string? KeyRefusal(LoginFacts facts, PublicKeyAttempt attempt)
    {
        if (facts.User is not { } user) return "unknown user";
        // Compare whole blobs, not only fingerprints, so a fingerprint collision cannot matter.
        if (!facts.Keys.Any(k => SshPublicKey.ParseOpenSsh(k.PublicKey).BlobEquals(attempt.Key))) return "key not registered";
        return user.Disabled ? "user disabled" : null;
    }

    /// <summary>
    /// Logins of the user from this source are locked. Only her key (or, later, her code) earns the notice: a password
    /// would not, since answering "locked" to the right password alone would tell a guesser that it was right.
    /// </summary>
    private async Task<AuthenticationDecision> LockedAsync(Attempt call, LoginFacts facts, LoginName name, DateTimeOffset until,
        CancellationToken cancellationToken)
    {
        var user = facts.User;
        bool proven = call.Context.State is BastionLogin;
        switch (call.Request)
        {
            case PublicKeyAttempt pk when !proven:
                proven = KeyRefusal(facts, pk) is null;
                break;
            case PasswordAttempt pw when !proven:
                VerifyPassword(user, pw.Password);
                break;
        }
        await _audit.RecordAsync(AuditTypes.LoginFailure, AuditOutcome.Failure, name.User, call.Address, name.Target,
            Details(call.Request, $"account locked until {until:u}"), cancellationToken).ConfigureAwait(false);
        _throttle.RecordFailure(call.SourceKey, call.Now);
        var decision = AuthenticationDecision.Failure(call.Context.State is BastionLogin ? SecondFactor : FirstFactors);
        return proven ? decision with { Notice = LockedNotice(until) } : decision;
    }

    private async Task<AuthenticationDecision> FirstFactorDoneAsync(Attempt call, UserRecord user, LoginName name, string method,
        SshPublicKey? key, CancellationToken cancellationToken)
    {
        bool byApproval = await ApprovalRequiredAsync(user, cancellationToken).ConfigureAwait(false);
        if (!user.HasTotp && !byApproval)
        {
            await _audit.RecordAsync(AuditTypes.LoginFailure, AuditOutcome.Failure, user.Name, call.Address, name.Target,
                new Dictionary<string, string> { ["method"] = method, ["reason"] = "no TOTP enrolled" }, cancellationToken).ConfigureAwait(false);
            return AuthenticationDecision.Failure(FirstFactors);
        }
        call.Context.State = new BastionLogin(user, name, method, key?.Fingerprint) { Key = key, ByApproval = byApproval };
        // OpenSSH offers a key before its certificate: when her roles issue certificates, publickey stays open after the key,
        // so the client goes on to offer the certificate (both factors) and asks for a code only when it has none.
        if (key is not null && LoginCertificates is not null && await LoginCertificates.GrantAsync(user, cancellationToken).ConfigureAwait(false) is not null)
            return AuthenticationDecision.Partial(SecondFactorOrCertificate);
        return AuthenticationDecision.Partial(SecondFactor);
    }

    private async Task<AuthenticationDecision> SecondFactorAsync(Attempt call, KeyboardInteractiveAttempt attempt, BastionLogin login,
        CancellationToken cancellationToken)
    {
        if (login.ByApproval) return await ApprovalAsync(call, attempt, login, cancellationToken).ConfigureAwait(false);
        var answers = await attempt.Prompter.PromptAsync("", "", [new KeyboardInteractivePrompt(CodePrompt, Echo: false)], cancellationToken)
            .ConfigureAwait(false);
        var user = login.User;
        byte[] secret;
        try
        {
            secret = _secrets.Unprotect(user.EncryptedTotpSecret!, "totp:" + user.Name);
        }
        catch (CryptographicException)
        {
            _logger.LogError("TOTP secret of {User} cannot be decrypted with this master key", user.Name);
            await FailAsync(call, login.Name, "TOTP secret unreadable", countForLockout: false, cancellationToken).ConfigureAwait(false);
            return AuthenticationDecision.Failure(SecondFactor);
        }
        long? step = TotpVerifier.Verify(secret, answers[0], call.Now);
        CryptographicOperations.ZeroMemory(secret);
        if (step is null)
            return await CodeRefusedAsync(call, login, answers[0], "wrong verification code", AuditTypes.MfaFailure, WrongCodeNotice, cancellationToken)
                .ConfigureAwait(false);
        // The step is used (committed, so no node accepts the code again) and the account read again in one go.
        var use = await LoginFacts.UseTotpStepAsync(user.Name, step.Value, call.SourceKey, call.Now, cancellationToken).ConfigureAwait(false);
        if (!use.Used)
            return await CodeRefusedAsync(call, login, answers[0], "verification code already used", AuditTypes.MfaReplay, ReplayedCodeNotice,
                cancellationToken).ConfigureAwait(false);
        return await SecondFactorPassedAsync(call, login, new Dictionary<string, string>
        {
            ["method"] = login.FirstFactor + "+totp",
            ["key"] = login.KeyFingerprint ?? "",
        }, use, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends a login whose second factor (a code, a browser approval) passed: the account is read again, since the operator
    /// took time over that factor and it may have been disabled or locked meanwhile; then this source's failure count starts
    /// again and the success is audited with <paramref name="details"/>. <paramref name="read"/>: the account as read with the
    /// code's step, or null to read it here.
    /// </summary>
    private async Task<AuthenticationDecision> SecondFactorPassedAsync(Attempt call, BastionLogin login, Dictionary<string, string> details,
        TotpStepUse? read, CancellationToken cancellationToken)
    {
        var user = login.User;
        if (read is null)
        {
            var facts = await LoginFacts.GetLoginFactsAsync(user.Name, call.SourceKey, call.Now, cancellationToken).ConfigureAwait(false);
            read = new TotpStepUse(true, facts.User, facts.LockedUntil, SourceHasFailures: true);
        }
        var (current, lockedUntil) = (read.User, read.LockedUntil);
        if (current is null || current.Disabled || lockedUntil is not null)
        {
            await FailAsync(call, login.Name, "account disabled or locked", countForLockout: false, cancellationToken).ConfigureAwait(false);
            var refused = AuthenticationDecision.Failure(SecondFactor);
            return lockedUntil is { } until ? refused with { Notice = LockedNotice(until) } : refused;
        }
        // A success says nothing about guesses from other sources: only this source's count starts again. Nothing to clear
        // when the read found no row for the source (most logins): a failure counted since then stays counted.
        if (read.SourceHasFailures) await _store.ClearFailuresAsync(user.Name, call.SourceKey, cancellationToken).ConfigureAwait(false);
        await _audit.RecordAsync(AuditTypes.Login, AuditOutcome.Success, user.Name, call.Address, login.Name.Target, details, cancellationToken)
            .ConfigureAwait(false);
        return AuthenticationDecision.Success;
    }

    /// <summary>A wrong or replayed code: audited every time, counted once per distinct code on this connection.</summary>
    private async Task<AuthenticationDecision> CodeRefusedAsync(Attempt call, BastionLogin login, string code, string reason, string auditType,
        string notice, CancellationToken cancellationToken)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(code));
        bool again = _lastFailedCode.TryGetValue(call.Context, out var last) && CryptographicOperations.FixedTimeEquals(last, digest);
        _lastFailedCode.AddOrUpdate(call.Context, digest);
        var lockedUntil = await FailAsync(call, login.Name, again ? reason + " (the same code again)" : reason, countForLockout: !again,
            cancellationToken, auditType, countForThrottle: !again).ConfigureAwait(false);
        return AuthenticationDecision.Failure(SecondFactor) with { Notice = lockedUntil is { } until ? notice + LockedNotice(until) : notice };
    }

    /// <summary>Audits a failure and counts it; returns the end of the lock when this failure locked the source.</summary>
    private async Task<DateTimeOffset?> FailAsync(Attempt call, LoginName? name, string reason, bool countForLockout,
        CancellationToken cancellationToken, string type = AuditTypes.LoginFailure, bool countForThrottle = true)
    {
        if (countForThrottle) _throttle.RecordFailure(call.SourceKey, call.Now);
        string? user = name?.User;
        // A name that did not parse is the client's text: escaped, so it cannot rewrite the audit reader's terminal.
        await _audit.RecordAsync(type, AuditOutcome.Failure, user ?? ControlText.Escape(call.Request.UserName), call.Address, name?.Target,
            Details(call.Request, reason), cancellationToken).ConfigureAwait(false);
        if (!countForLockout || user is null) return null;
        var (failures, locked) = await _store.RecordFailureAsync(user, call.SourceKey, _lockoutThreshold, _lockoutDuration, call.Now, cancellationToken)
            .ConfigureAwait(false);
        if (!locked || failures != _lockoutThreshold) return null;
        await _audit.RecordAsync(AuditTypes.Lockout, AuditOutcome.Failure, user, call.Address, null, new Dictionary<string, string>
        {
            ["failures"] = failures.ToString(),
            ["duration"] = Configuration.Duration.Format(_lockoutDuration),
            ["source"] = call.SourceKey,
        }, cancellationToken).ConfigureAwait(false);
        return call.Now + _lockoutDuration;
    }

    private static Dictionary<string, string> Details(AuthenticationAttempt attempt, string reason) =>
        new() { ["method"] = attempt.Method, ["reason"] = reason };

    public static string SourceOf(EndPoint? endPoint) => endPoint is IPEndPoint ip ? ip.Address.ToString() : endPoint?.ToString() ?? "unknown";

    /// <summary>One attempt with where it came from: the address (audited) and the source key (lockout and throttling).</summary>
    private sealed record Attempt(AuthenticationAttempt Request, AuthenticationContext Context, string Address, string SourceKey)
    {
        public DateTimeOffset Now { get; init; }
    }
}
