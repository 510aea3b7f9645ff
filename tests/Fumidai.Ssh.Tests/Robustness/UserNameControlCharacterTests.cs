namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>A user name that could rewrite a terminal or a log line is refused, even with the right password, and never logged raw.</summary>
public sealed class UserNameControlCharacterTests : IClassFixture<RobustnessHost>
{
    private readonly RobustnessHost _host;

    public UserNameControlCharacterTests(RobustnessHost host) => _host = host;

    [Theory]
    [InlineData("robust\u001b[2K\rlogin success admin")]
    [InlineData("robust\u009b2K")]
    [InlineData("robust\u202e")]
    [InlineData("robust\u007f")]
    public async Task Refused_with_the_right_password(string name)
    {
        await using var client = await ScriptedClient.ConnectAsync(_host.Port);
        Assert.False(await client.TryPasswordAsync(name, RobustnessHost.Password));
        Assert.DoesNotContain(_host.Log.Entries, e => e.Message.Contains(name, StringComparison.Ordinal));
        await _host.AssertStillServesAsync();
    }
}
