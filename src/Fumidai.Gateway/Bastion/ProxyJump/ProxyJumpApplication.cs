using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Connection;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Server;

namespace Fumidai.Gateway.Bastion.ProxyJump;

/// <summary>
/// The inner connection of a jump: the operator proves the key of her outer login again (no second code: the outer login
/// already had both factors), names a login the policy grants on the target, and is then an ordinary operator connection.
/// </summary>
internal sealed class ProxyJumpApplication : ISshServerApplication
{
    public const string Via = "proxyjump";
    private static readonly string[] PublicKeyOnly = [AuthenticationMethods.PublicKey];

    private readonly BastionContext _context;
    private readonly BastionLogin _outer;
    private readonly TargetRecord _target;

    public ProxyJumpApplication(BastionContext context, BastionLogin outer, TargetRecord target)
    {
        _context = context;
        _outer = outer;
        _target = target;
    }

    public async ValueTask<AuthenticationDecision> AuthenticateAsync(AuthenticationAttempt attempt, AuthenticationContext context,
        CancellationToken cancellationToken)
    {
        if (attempt is not PublicKeyAttempt pk) return AuthenticationDecision.Failure(PublicKeyOnly);
        string source = BastionAuthenticator.SourceOf(context.RemoteEndPoint);
        var key = pk.Key is SshCertificate certificate ? certificate.Key : pk.Key;
        string? refusal = null;
        if (_outer.Key is null || !key.BlobEquals(_outer.Key)) refusal = "not the key of the outer login";
        else if (!LoginName.IsValidName(attempt.UserName)) refusal = "invalid login name";
        var user = await _context.Credentials.GetUserAsync(_outer.User.Name, cancellationToken).ConfigureAwait(false);
        if (refusal is null && (user is null || user.Disabled)) refusal = "account removed or disabled";
        if (refusal is null)
        {
            var policy = await _context.LoadPolicyAsync(cancellationToken).ConfigureAwait(false);
            if (!policy.LoginsFor(user!, _target).Contains(attempt.UserName, StringComparer.Ordinal))
                refusal = $"no role grants {attempt.UserName} on {_target.Name}";
        }
        if (refusal is not null)
        {
            await _context.Audit.RecordAsync(AuditTypes.LoginFailure, AuditOutcome.Failure, _outer.User.Name, source, _target.Name,
                new Dictionary<string, string> { ["method"] = "publickey", ["via"] = Via, ["reason"] = refusal }, cancellationToken).ConfigureAwait(false);
            return AuthenticationDecision.Failure(PublicKeyOnly);
        }
        context.State = _outer with { User = user!, Name = new LoginName(user!.Name, _target.Name, attempt.UserName), Via = Via };
        await _context.Audit.RecordAsync(AuditTypes.Login, AuditOutcome.Success, user.Name, source, _target.Name, new Dictionary<string, string>
        {
            ["method"] = _outer.Certificate is null ? _outer.FirstFactor + (_outer.Machine ? "" : "+totp") : "certificate",
            ["key"] = key.Fingerprint,
            ["login"] = attempt.UserName,
            ["via"] = Via,
        }, cancellationToken).ConfigureAwait(false);
        return AuthenticationDecision.Success;
    }

    public IChannelOpenHandler CreateChannelHandler(SshServerSession session) => new OperatorConnection(_context, session);
}
