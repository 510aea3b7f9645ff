using Fumidai.Gateway.Bastion;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>The three forms of the SSH user name, and what is refused.</summary>
public sealed class LoginNameTests
{
    [Theory]
    [InlineData("alice", "alice", null, null)]
    [InlineData("alice:web01", "alice", "web01", null)]
    [InlineData("alice:ec2-user@web01", "alice", "web01", "ec2-user")]
    [InlineData("a.b_c-d:x.y@host-1.example", "a.b_c-d", "host-1.example", "x.y")]
    public void Valid_forms(string text, string user, string? target, string? login)
    {
        Assert.True(LoginName.TryParse(text, out var name));
        Assert.Equal(new LoginName(user, target, login), name);
    }

    [Theory]
    [InlineData("")]
    [InlineData(":web01")]
    [InlineData("alice:")]
    [InlineData("alice:@web01")]
    [InlineData("alice:root@")]
    [InlineData("al ice")]
    [InlineData("-alice")]
    [InlineData("alice:web01;rm")]
    [InlineData("alice:../etc")]
    public void Invalid_forms(string text) => Assert.False(LoginName.TryParse(text, out _));
}
