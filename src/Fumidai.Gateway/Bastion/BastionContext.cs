using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Recordings;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Targets;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Bastion;

/// <summary>What every operator connection and session needs: the stores by concern, audit, dialer, recordings, limits, clock, drain.</summary>
/// <remarks>Each dependency is an interface, so another metadata provider plugs in by implementing them and tests run on fakes.</remarks>
public sealed class BastionContext
{
    /// <summary>Users as stored now, failed-login counters and locks.</summary>
    public required ICredentialStore Credentials { get; init; }

    /// <summary>Targets and roles.</summary>
    public required IPolicyStore Access { get; init; }

    /// <summary>The session rows.</summary>
    public required ISessionStore SessionLog { get; init; }

    public required ICommandIndex Commands { get; init; }

    public required IRevocationStore Revocations { get; init; }

    /// <summary>A user, her lock and her revocation read in one go; by default the separate reads of the two stores above.</summary>
    public ILoginFactsStore LoginFacts
    {
        get => _loginFacts ??= new SeparateLoginFacts(Credentials, Revocations, null);
        init => _loginFacts = value;
    }

    private ILoginFactsStore? _loginFacts;

    /// <summary>A session start's facts: in one round trip when <see cref="LoginFacts"/> can, else the separate reads.</summary>
    public async Task<SessionStartFacts> ReadSessionStartAsync(string userName, string source, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        if (LoginFacts is ISessionStartStore together)
            return await together.GetSessionStartFactsAsync(userName, source, now, cancellationToken).ConfigureAwait(false);
        var facts = await LoginFacts.GetLoginFactsAsync(userName, source, now, cancellationToken).ConfigureAwait(false);
        var roles = await Access.ListRolesAsync(cancellationToken).ConfigureAwait(false);
        var targets = await Access.ListTargetsAsync(cancellationToken).ConfigureAwait(false);
        return new SessionStartFacts(facts, roles, targets);
    }

    /// <summary>Many users and their revocations read in one go (the revocation re-check); by default separate reads.</summary>
    public IUserStatesStore UserStates
    {
        get => _userStates ??= new SeparateUserStates(Credentials, Revocations);
        init => _userStates = value;
    }

    private IUserStatesStore? _userStates;

    public required IAuditLog Audit { get; init; }

    public required ITargetDialer Dialer { get; init; }

    /// <summary>Where sessions are recorded: spool, uploader, object store, strict-mode gate.</summary>
    public required ISessionRecordings Recordings { get; init; }

    public required TimeSpan IdleTimeout { get; init; }

    public TimeSpan? MaxSession { get; init; }

    public required ILogger Logger { get; init; }

    /// <summary>The clock of idle and session limits and of session times.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Cancelled when the node starts to drain (SIGTERM): no new sessions; running ones are told and may finish.</summary>
    public CancellationToken Draining { get; init; }

    /// <summary>Cancelled when the drain is over (its timeout, or a second SIGTERM): sessions still running are cut.</summary>
    public CancellationToken Cut { get; init; }

    /// <summary>How long a drain lets running sessions finish on their own before cutting them (told to operators).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Issues login certificates (<c>ssh alice@bastion cert</c>); null when this bastion issues none.</summary>
    public Identity.LoginCertificateAuthority? LoginCertificates { get; init; }

    /// <summary>Terminates <c>ssh -J</c> to targets; null: a jump to a target is treated as any other forward.</summary>
    public ProxyJump.ProxyJumpHost? ProxyJump { get; init; }

    /// <summary>Where running sessions publish their screens for the console's live view.</summary>
    public LiveScreens LiveScreens { get; init; } = new();

    /// <summary>Sessions relaying right now, so a drain can wait for their recordings to be finalised.</summary>
    public SessionRegistry Sessions { get; init; } = new();

    /// <summary>Roles are read per session so that `role add` takes effect without a restart.</summary>
    public async Task<AccessPolicy> LoadPolicyAsync(CancellationToken cancellationToken) =>
        new(await Access.ListRolesAsync(cancellationToken).ConfigureAwait(false));

    public static string NewSessionId() =>
        DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-"
        + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(5));
}
