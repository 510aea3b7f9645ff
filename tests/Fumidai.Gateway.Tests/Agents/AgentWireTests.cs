using Fumidai.Agent;

namespace Fumidai.Gateway.Tests.Agents;

/// <summary>Join tokens and the agent's hello: what is accepted, and that everything else is refused with limits on every length.</summary>
public sealed class AgentWireTests
{
    private const string Fingerprint = "SHA256:LSJbsDyXC5Ek5lBB2Wa4NpwSFouX5ABXQmYqQOoHmZE";

    [Fact]
    public void A_token_names_the_bastion_host_key_and_matches_only_its_own_hash()
    {
        string token = AgentToken.Create(Fingerprint);
        Assert.True(AgentToken.TryParse(token, out var secret, out var fingerprint));
        Assert.Equal(Fingerprint, fingerprint);
        Assert.True(AgentToken.Matches(token, AgentToken.Hash(secret)));
        Assert.False(AgentToken.Matches(AgentToken.Create(Fingerprint), AgentToken.Hash(secret)));
        Assert.False(AgentToken.Matches(secret, AgentToken.Hash(secret)));
        Assert.False(AgentToken.Matches(token, null));
        Assert.False(AgentToken.Matches(token + new string('x', AgentToken.MaxLength), AgentToken.Hash(secret)));
        Assert.NotEqual(AgentToken.Create(Fingerprint), AgentToken.Create(Fingerprint));
    }

    [Theory]
    [InlineData("")]
    [InlineData("fdj1.")]
    [InlineData("fdj1.short.fp")]
    [InlineData("fdj2.aaaaaaaaaaaaaaaaaaaaaaaa.fp")]
    [InlineData("fdj1.aaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("fdj1.aaaaaaaaaaaaaaaaaaaaaaaa.fp.extra")]
    public void Malformed_tokens_do_not_parse(string token) => Assert.False(AgentToken.TryParse(token, out _, out _));

    [Fact]
    public void A_hello_round_trips_and_oversized_or_trailing_input_is_refused()
    {
        var (version, keys) = AgentProtocol.DecodeHello(AgentProtocol.EncodeHello("1.2.3", ["ssh-ed25519 AAAA", "ecdsa-sha2-nistp256 BBBB"]));
        Assert.Equal("1.2.3", version);
        Assert.Equal(["ssh-ed25519 AAAA", "ecdsa-sha2-nistp256 BBBB"], keys);

        Assert.Throws<FormatException>(() => AgentProtocol.DecodeHello(AgentProtocol.EncodeHello(new string('9', 65), [])));
        Assert.Throws<FormatException>(() => AgentProtocol.DecodeHello(AgentProtocol.EncodeHello("1", Enumerable.Repeat("k", 9).ToArray())));
        Assert.Throws<FormatException>(() => AgentProtocol.DecodeHello(AgentProtocol.EncodeHello("1", [new string('k', 2049)])));
        Assert.Throws<FormatException>(() => AgentProtocol.DecodeHello(AgentProtocol.EncodeHello("1\n", [])));
        Assert.Throws<FormatException>(() => AgentProtocol.DecodeHello([.. AgentProtocol.EncodeHello("1", []), 0]));
        Assert.Throws<FormatException>(() => AgentProtocol.DecodeHello([0, 0, 0, 9, 1]));
    }

    [Theory]
    [InlineData("@agent:web01", "web01")]
    [InlineData("@agent:", null)]
    [InlineData("agent:web01", null)]
    [InlineData("alice:web01", null)]
    public void Only_the_reserved_prefix_names_an_agent(string user, string? target) => Assert.Equal(target, AgentProtocol.TargetOf(user));
}
