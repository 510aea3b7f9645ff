namespace Fumidai.Ssh.Keys;

/// <summary>The certificate role (PROTOCOL.certkeys <c>type</c> field).</summary>
public enum SshCertificateType : uint
{
    User = 1,
    Host = 2,
}
