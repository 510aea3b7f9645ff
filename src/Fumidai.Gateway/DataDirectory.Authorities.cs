using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway;

public sealed partial class DataDirectory
{
    /// <summary>The CA of login certificates: only the bastion trusts it, unlike <see cref="UserCaKeyPath"/>, which targets trust.</summary>
    public string LoginCaKeyPath => Path.Combine(Root, "login_ca");

    /// <summary>
    /// Creates the CAs a data directory made by an older version lacks (at <c>init</c> and at each <c>serve</c> start), so an
    /// upgrade needs no step of its own. Keys that exist are never replaced.
    /// </summary>
    public void EnsureAuthorities()
    {
        if (!File.Exists(LoginCaKeyPath)) WriteKey(LoginCaKeyPath, "ssh-ed25519", null, "fumidai login CA");
        if (!File.Exists(HostCaKeyPath)) WriteKey(HostCaKeyPath, "ssh-ed25519", null, "fumidai host CA");
    }

    public SshPrivateKey LoadLoginCa() => SshPrivateKey.Load(LoginCaKeyPath);

    /// <summary>The CA of the host certificates the bastion presents for targets reached through ProxyJump.</summary>
    public string HostCaKeyPath => Path.Combine(Root, "host_ca");

    public SshPrivateKey LoadHostCa() => SshPrivateKey.Load(HostCaKeyPath);
}
