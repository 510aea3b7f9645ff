using Fumidai.Agent;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Storage;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Keys;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Agents;

/// <summary>
/// Logs agents in (user name <c>@agent:TARGET</c>): the key bound at join time alone; or, while the target's join token is
/// unused, a new key followed by the token as password, which binds that key once. Every refusal is logged and audited
/// <c>agent.refused</c> and counts toward the source's throttle, like a failed operator login.
/// </summary>
public sealed class AgentAuthenticator(MetadataStore store, IAuditLog audit, SourceThrottle throttle, ILogger logger, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async ValueTask<AuthenticationDecision> AuthenticateAsync(string target, AuthenticationAttempt attempt, AuthenticationContext context,
        CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        string source = BastionAuthenticator.SourceOf(context.RemoteEndPoint);
        string sourceKey = Ssh.Server.SourceKey.Of(context.RemoteEndPoint);
        if (attempt is NoneAttempt) return AuthenticationDecision.Failure(AuthenticationMethods.PublicKey);
        if (throttle.IsThrottled(sourceKey, now)) return AuthenticationDecision.Failure(AuthenticationMethods.PublicKey);
        if (!LoginName.IsValidName(target)) return await RefuseAsync("not a valid target name", null, source, sourceKey, now, cancellationToken).ConfigureAwait(false);
        var record = await store.GetAgentTargetAsync(target, cancellationToken).ConfigureAwait(false);
        if (record is null) return await RefuseAsync("no agent target of that name", target, source, sourceKey, now, cancellationToken).ConfigureAwait(false);
        if (record.Revoked is not null) return await RefuseAsync("the agent was revoked", target, source, sourceKey, now, cancellationToken).ConfigureAwait(false);
        switch (attempt)
        {
            case PublicKeyAttempt { Key: var key } when key is not SshCertificate:
                if (record.AgentKey is { } bound)
                {
                    if (SshPublicKey.ParseOpenSsh(bound).BlobEquals(key))
                    {
                        context.State = new AgentLogin(target, key);
                        return AuthenticationDecision.Success;
                    }
                    return await RefuseAsync("another agent already joined as this target", target, source, sourceKey, now, cancellationToken,
                        key.Fingerprint).ConfigureAwait(false);
                }
                if (record.TokenHash is null)
                    return await RefuseAsync("no join token is pending", target, source, sourceKey, now, cancellationToken, key.Fingerprint).ConfigureAwait(false);
                context.State = new PendingAgentJoin(target, key);
                return AuthenticationDecision.Partial(AuthenticationMethods.Password);
            case PasswordAttempt password when context.State is PendingAgentJoin join && join.Target == target:
                if (!AgentToken.Matches(password.Password, record.TokenHash))
                    return await RefuseAsync("wrong or already used join token", target, source, sourceKey, now, cancellationToken, join.Key.Fingerprint).ConfigureAwait(false);
                if (record.TokenExpires is not { } expires || expires <= now)
                    return await RefuseAsync("the join token expired", target, source, sourceKey, now, cancellationToken, join.Key.Fingerprint).ConfigureAwait(false);
                if (!await store.TryJoinAgentAsync(target, record.TokenHash!, join.Key.ToString(), now, cancellationToken).ConfigureAwait(false))
                    return await RefuseAsync("the join token was used meanwhile", target, source, sourceKey, now, cancellationToken, join.Key.Fingerprint).ConfigureAwait(false);
                logger.LogInformation("agent for {Target} joined from {Source} with key {Fingerprint}", target, source, join.Key.Fingerprint);
                await audit.RecordAsync(AuditTypes.AgentJoin, AuditOutcome.Success, source: source, target: target,
                    details: new Dictionary<string, string> { ["key"] = join.Key.Fingerprint }, cancellationToken: cancellationToken).ConfigureAwait(false);
                context.State = new AgentLogin(target, join.Key);
                return AuthenticationDecision.Success;
            default:
                return await RefuseAsync($"method {attempt.Method} is not how agents log in", target, source, sourceKey, now, cancellationToken)
                    .ConfigureAwait(false);
        }
    }

    private async Task<AuthenticationDecision> RefuseAsync(string reason, string? target, string source, string sourceKey, DateTimeOffset now,
        CancellationToken cancellationToken, string? keyFingerprint = null)
    {
        throttle.RecordFailure(sourceKey, now);
        logger.LogWarning("agent login for {Target} from {Source} refused: {Reason}", target ?? "(invalid name)", source, reason);
        var details = new Dictionary<string, string> { ["reason"] = reason };
        if (keyFingerprint is not null) details["key"] = keyFingerprint;
        await audit.RecordAsync(AuditTypes.AgentRefused, AuditOutcome.Failure, source: source, target: target, details: details,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return AuthenticationDecision.Failure(AuthenticationMethods.PublicKey);
    }
}
