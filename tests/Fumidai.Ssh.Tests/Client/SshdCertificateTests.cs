using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Tests.Client;

/// <summary>User certificates minted here, presented by our client to sshd with TrustedUserCAKeys.</summary>
public sealed class SshdCertificateTests(SshdFixture fixture) : IClassFixture<SshdFixture>
{
    private SshCertifiedPrivateKey Mint(string keyType, string keyId, string principal, TimeSpan from, TimeSpan to, ulong serial)
    {
        var key = SshPrivateKey.Generate(keyType);
        var now = DateTimeOffset.UtcNow;
        var builder = new SshCertificateBuilder(key.PublicKey, SshCertificateType.User, keyId)
        {
            Serial = serial,
            ValidAfter = now + from,
            ValidBefore = now + to,
        }.WithDefaultUserExtensions();
        builder.ValidPrincipals.Add(principal);
        return new SshCertifiedPrivateKey(key, builder.Sign(fixture.UserCa));
    }

    [Theory]
    [InlineData(SshKeyTypes.Ed25519, 4101UL)]
    [InlineData(SshKeyTypes.Rsa, 4102UL)]
    [InlineData(SshKeyTypes.EcdsaNistP256, 4103UL)]
    public async Task Certificate_valid_five_minutes_is_accepted_and_sshd_logs_its_key_id(string keyType, ulong serial)
    {
        string keyId = $"alice.example@fumidai serial {serial}";
        using var certified = Mint(keyType, keyId, PrivateSshd.User, TimeSpan.FromMinutes(-1), TimeSpan.FromMinutes(5), serial);

        await using var client = await fixture.ConnectAsync(certified);
        var result = await client.RunCommandAsync("echo certified");

        Assert.Equal("certified\n", result.Output);
        Assert.True(await fixture.Sshd.WaitForLogAsync($"Accepted certificate ID \"{keyId}\" (serial {serial})"), fixture.Sshd.Log);
    }

    [Fact]
    public async Task Expired_certificate_is_refused()
    {
        using var certified = Mint(SshKeyTypes.Ed25519, "mallory expired", PrivateSshd.User, TimeSpan.FromMinutes(-20), TimeSpan.FromMinutes(-10), 4201);

        var error = await Assert.ThrowsAsync<ClientAuthenticationException>(() => fixture.ConnectAsync(certified));

        Assert.Contains(error.MethodsTried, m => m.Contains("certificate ID \"mallory expired\"", StringComparison.Ordinal));
        Assert.True(await fixture.Sshd.WaitForLogAsync("Certificate invalid: expired"), fixture.Sshd.Log);
    }

    [Fact]
    public async Task Certificate_for_another_principal_is_refused()
    {
        using var certified = Mint(SshKeyTypes.Ed25519, "bob wrong principal", "ec2-user", TimeSpan.FromMinutes(-1), TimeSpan.FromMinutes(5), 4202);

        var error = await Assert.ThrowsAsync<ClientAuthenticationException>(() => fixture.ConnectAsync(certified));

        Assert.Contains(error.MethodsTried, m => m.Contains("bob wrong principal", StringComparison.Ordinal));
        Assert.True(await fixture.Sshd.WaitForLogAsync("Certificate invalid: name is not a listed principal"), fixture.Sshd.Log);
    }
}
