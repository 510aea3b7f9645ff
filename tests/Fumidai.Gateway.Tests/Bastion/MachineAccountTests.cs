using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>A machine account logs in with its key alone, and only from its allowed addresses.</summary>
public sealed class MachineAccountTests : IAsyncLifetime
{
    private AuthenticatorRig _rig = null!;
    private SshPublicKey _key = null!;

    public async Task InitializeAsync()
    {
        _rig = await AuthenticatorRig.CreateAsync();
        Assert.True(await _rig.Store.AddUserAsync(new UserRecord("deploy", ["ops"], false, null, null, DateTimeOffset.UtcNow)));
        _key = SshPrivateKey.Generate(SshKeyTypes.Ed25519).PublicKey;
        Assert.True(await _rig.Store.AddUserKeyAsync(new UserKeyRecord("deploy", _key.Fingerprint, _key.ToOpenSsh(), "")));
        Assert.True(await _rig.Store.AddMachineAccountAsync("deploy", "10.1.0.0/16,127.0.0.1"));
    }

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.200.3")]
    public async Task Its_key_alone_logs_it_in_from_an_allowed_address_and_the_audit_says_machine(string source)
    {
        var decision = await _rig.KeyAsync(AuthenticatorRig.Connection(source), "deploy:web01", _key);

        Assert.Equal(AuthenticationOutcome.Success, decision.Outcome);
        var login = Assert.Single(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.Login);
        Assert.Equal(("machine", "publickey", source), (login.Details["account"], login.Details["method"], login.Source));
    }

    [Theory]
    [InlineData("10.2.0.1")]
    [InlineData("127.0.0.2")]
    public async Task From_any_other_address_it_is_refused(string source)
    {
        var decision = await _rig.KeyAsync(AuthenticatorRig.Connection(source), "deploy", _key);

        Assert.Equal(AuthenticationOutcome.Failure, decision.Outcome);
        var failure = Assert.Single(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.LoginFailure);
        Assert.Contains("outside its allowed addresses", failure.Details["reason"]);
    }

    [Fact]
    public async Task Another_key_or_a_disabled_machine_is_refused()
    {
        var other = SshPrivateKey.Generate(SshKeyTypes.Ed25519).PublicKey;
        Assert.Equal(AuthenticationOutcome.Failure, (await _rig.KeyAsync(AuthenticatorRig.Connection(), "deploy", other)).Outcome);
        await _rig.Store.SetUserDisabledAsync("deploy", true);
        Assert.Equal(AuthenticationOutcome.Failure, (await _rig.KeyAsync(AuthenticatorRig.Connection(), "deploy", _key)).Outcome);
        Assert.DoesNotContain(await _rig.AuditEventsAsync(), e => e.Type == AuditTypes.Login);
    }
}
