using System.Security.Cryptography;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Targets;

/// <summary>Issues the short-lived user certificate the bastion presents to a target for one connection.</summary>
public static class TargetCertificate
{
    /// <summary>Signs <paramref name="key"/> for <paramref name="login"/>, valid for <paramref name="lifetime"/>, granting only <paramref name="use"/>.</summary>
    /// <param name="keyId">Logged by the target's sshd, so a shared login stays attributable to a person and a session.</param>
    /// <param name="sourceAddress">The <c>source-address</c> critical option (addresses or CIDRs, comma-separated), or null for none.</param>
    public static SshCertificate Issue(SshPublicKey key, SshPrivateKey ca, string login, string keyId, TimeSpan lifetime, TargetUse use,
        string? sourceAddress)
    {
        var now = DateTimeOffset.UtcNow;
        var builder = new SshCertificateBuilder(key, SshCertificateType.User, keyId)
        {
            Serial = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)),
            // A little slack before now absorbs clock skew between the bastion and the target.
            ValidAfter = now - TimeSpan.FromSeconds(60),
            ValidBefore = now + lifetime,
        };
        builder.ValidPrincipals.Add(login);
        // Agent and X11 forwarding are never granted: the bastion has neither to offer, and a granted channel the
        // session does not use is one more way for the target to reach back. permit-user-rc is left out too:
        // ~/.ssh/rc on a shared login is a script any earlier user of that login could have planted, run before
        // the session and outside what the operator chose to run.
        if (use.Pty) builder.Extensions["permit-pty"] = "";
        if (use.PortForwarding) builder.Extensions["permit-port-forwarding"] = "";
        if (!string.IsNullOrEmpty(sourceAddress)) builder.CriticalOptions["source-address"] = sourceAddress;
        return builder.Sign(ca);
    }
}
