using System.Net;
using System.Security.Cryptography;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Authentication;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Bastion;

/// <summary>
/// Two factors for every login (PCI DSS 8.4, 8.5.1): a public key or password, then a TOTP code through
/// keyboard-interactive. Lockout after consecutive failures, per-source throttling, single use of each code.
/// </summary>
public sealed class BastionAuthenticator : IServerAuthenticator
{
    public const string CodePrompt = "Verification code: ";
    private static readonly string[] FirstFactors = [AuthenticationMethods.PublicKey, AuthenticationMethods.Password];
    private static readonly string[] SecondFactor = [AuthenticationMethods.KeyboardInteractive];

    // A hash to verify against when the user does not exist, so the answer takes as long either way.
    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash("dummy password 0123456789"));

    private readonly MetadataStore _store;
    private readonly SecretProtector _secrets;
    private readonly AuditLog _audit;
    private readonly SourceThrottle _throttle;
    private readonly int _lockoutThreshold;
    private readonly TimeSpan _lockoutDuration;
    private readonly ILogger _logger;

    public BastionAuthenticator(MetadataStore store, SecretProtector secrets, AuditLog audit, SourceThrottle throttle,
        int lockoutThreshold, TimeSpan lockoutDuration, ILogger logger)
    {
        _store = store;
        _secrets = secrets;
        _audit = audit;
        _throttle = throttle;
        _lockoutThreshold = lockoutThreshold;
        _lockoutDuration = lockoutDuration;
        _logger = logger;
    }

    public async ValueTask<AuthenticationDecision> AuthenticateAsync(AuthenticationAttempt attempt, AuthenticationContext context,
        CancellationToken cancellationToken)
    {
        string source = SourceOf(context.RemoteEndPoint);
        var now = DateTimeOffset.UtcNow;
        bool firstDone = context.State is BastionLogin;
        var next = firstDone ? SecondFactor : FirstFactors;
        if (attempt is NoneAttempt) return AuthenticationDecision.Failure(next);
        if (!LoginName.TryParse(attempt.UserName, out var name))
        {
            await FailAsync(attempt, null, source, "invalid user name", countForLockout: false, cancellationToken).ConfigureAwait(false);
            return AuthenticationDecision.Failure(next);
        }
        if (_throttle.IsThrottled(source, now))
        {
            await _audit.RecordAsync(AuditTypes.LoginFailure, AuditOutcome.Failure, name!.User, source, name.Target,
                Details(attempt, "source throttled"), cancellationToken).ConfigureAwait(false);
            return AuthenticationDecision.Failure(next);
        }
        var user = await _store.GetUserAsync(name!.User, cancellationToken).ConfigureAwait(false);
        if (await _store.GetLockedUntilAsync(name.User, now, cancellationToken).ConfigureAwait(false) is { } until)
        {
            await _audit.RecordAsync(AuditTypes.LoginFailure, AuditOutcome.Failure, name.User, source, name.Target,
                Details(attempt, $"account locked until {until:u}"), cancellationToken).ConfigureAwait(false);
            _throttle.RecordFailure(source, now);
            return AuthenticationDecision.Failure(next);
        }
        switch (attempt)
        {
            case PublicKeyAttempt pk when !firstDone:
            {
                var keys = user is null ? [] : await _store.ListUserKeysAsync(user.Name, cancellationToken).ConfigureAwait(false);
                // Compare whole blobs, not only fingerprints, so a fingerprint collision cannot matter.
                bool known = keys.Any(k => Ssh.Keys.SshPublicKey.ParseOpenSsh(k.PublicKey).BlobEquals(pk.Key));
                if (user is null || !known || user.Disabled)
                {
                    await FailAsync(attempt, name, source, user is null ? "unknown user" : user.Disabled ? "user disabled" : "key not registered",
                        countForLockout: false, cancellationToken).ConfigureAwait(false);
                    return AuthenticationDecision.Failure(next);
                }
                return await FirstFactorDoneAsync(context, user, name, "publickey", pk.Key.Fingerprint, source, cancellationToken).ConfigureAwait(false);
            }
            case PasswordAttempt pw when !firstDone:
            {
                bool ok = PasswordHasher.Verify(pw.Password, user?.PasswordHash ?? DummyHash.Value) && user?.PasswordHash is not null;
                if (user is null || !ok || user.Disabled)
                {
                    await FailAsync(attempt, name, source, user is null ? "unknown user" : user.Disabled ? "user disabled" : "wrong password",
                        countForLockout: user is not null, cancellationToken).ConfigureAwait(false);
                    return AuthenticationDecision.Failure(next);
                }
                return await FirstFactorDoneAsync(context, user, name, "password", null, source, cancellationToken).ConfigureAwait(false);
            }
            case KeyboardInteractiveAttempt ki when context.State is BastionLogin login:
                return await SecondFactorAsync(ki, login, source, cancellationToken).ConfigureAwait(false);
            default:
                return AuthenticationDecision.Failure(next);
        }
    }

    private async Task<AuthenticationDecision> FirstFactorDoneAsync(AuthenticationContext context, UserRecord user, LoginName name, string method,
        string? fingerprint, string source, CancellationToken cancellationToken)
    {
        if (!user.HasTotp)
        {
            await _audit.RecordAsync(AuditTypes.LoginFailure, AuditOutcome.Failure, user.Name, source, name.Target,
                new Dictionary<string, string> { ["method"] = method, ["reason"] = "no TOTP enrolled" }, cancellationToken).ConfigureAwait(false);
            return AuthenticationDecision.Failure(FirstFactors);
        }
        context.State = new BastionLogin(user, name, method, fingerprint);
        return AuthenticationDecision.Partial(SecondFactor);
    }

    private async Task<AuthenticationDecision> SecondFactorAsync(KeyboardInteractiveAttempt attempt, BastionLogin login, string source,
        CancellationToken cancellationToken)
    {
        var answers = await attempt.Prompter.PromptAsync("", "", [new KeyboardInteractivePrompt(CodePrompt, Echo: false)], cancellationToken)
            .ConfigureAwait(false);
        var user = login.User;
        var now = DateTimeOffset.UtcNow;
        byte[] secret;
        try
        {
            secret = _secrets.Unprotect(user.EncryptedTotpSecret!, "totp:" + user.Name);
        }
        catch (CryptographicException)
        {
            _logger.LogError("TOTP secret of {User} cannot be decrypted with this master key", user.Name);
            await FailAsync(attempt, login.Name, source, "TOTP secret unreadable", countForLockout: false, cancellationToken).ConfigureAwait(false);
            return AuthenticationDecision.Failure(SecondFactor);
        }
        long? step = TotpVerifier.Verify(secret, answers[0], now);
        CryptographicOperations.ZeroMemory(secret);
        if (step is null)
        {
            await FailAsync(attempt, login.Name, source, "wrong verification code", countForLockout: true, cancellationToken, AuditTypes.MfaFailure)
                .ConfigureAwait(false);
            return AuthenticationDecision.Failure(SecondFactor);
        }
        if (!await _store.TryUseTotpStepAsync(user.Name, step.Value, cancellationToken).ConfigureAwait(false))
        {
            await FailAsync(attempt, login.Name, source, "verification code already used", countForLockout: true, cancellationToken, AuditTypes.MfaReplay)
                .ConfigureAwait(false);
            return AuthenticationDecision.Failure(SecondFactor);
        }
        // Re-read: the account may have been disabled or locked while the operator typed the code.
        var current = await _store.GetUserAsync(user.Name, cancellationToken).ConfigureAwait(false);
        if (current is null || current.Disabled || await _store.GetLockedUntilAsync(user.Name, now, cancellationToken).ConfigureAwait(false) is not null)
        {
            await FailAsync(attempt, login.Name, source, "account disabled or locked", countForLockout: false, cancellationToken).ConfigureAwait(false);
            return AuthenticationDecision.Failure(SecondFactor);
        }
        await _store.ClearFailuresAsync(user.Name, cancellationToken).ConfigureAwait(false);
        await _audit.RecordAsync(AuditTypes.Login, AuditOutcome.Success, user.Name, source, login.Name.Target, new Dictionary<string, string>
        {
            ["method"] = login.FirstFactor + "+totp",
            ["key"] = login.KeyFingerprint ?? "",
        }, cancellationToken).ConfigureAwait(false);
        return AuthenticationDecision.Success;
    }

    private async Task FailAsync(AuthenticationAttempt attempt, LoginName? name, string source, string reason, bool countForLockout,
        CancellationToken cancellationToken, string type = AuditTypes.LoginFailure)
    {
        var now = DateTimeOffset.UtcNow;
        _throttle.RecordFailure(source, now);
        string? user = name?.User;
        await _audit.RecordAsync(type, AuditOutcome.Failure, user ?? attempt.UserName, source, name?.Target, Details(attempt, reason), cancellationToken)
            .ConfigureAwait(false);
        if (!countForLockout || user is null) return;
        var (failures, locked) = await _store.RecordFailureAsync(user, _lockoutThreshold, _lockoutDuration, now, cancellationToken).ConfigureAwait(false);
        if (locked && failures == _lockoutThreshold)
        {
            await _audit.RecordAsync(AuditTypes.Lockout, AuditOutcome.Failure, user, source, null, new Dictionary<string, string>
            {
                ["failures"] = failures.ToString(),
                ["duration"] = Configuration.Duration.Format(_lockoutDuration),
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Dictionary<string, string> Details(AuthenticationAttempt attempt, string reason) =>
        new() { ["method"] = attempt.Method, ["reason"] = reason };

    public static string SourceOf(EndPoint? endPoint) => endPoint is IPEndPoint ip ? ip.Address.ToString() : endPoint?.ToString() ?? "unknown";
}
