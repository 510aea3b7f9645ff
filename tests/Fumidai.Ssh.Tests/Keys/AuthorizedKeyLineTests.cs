using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Tests.Keys;

public class AuthorizedKeyLineTests
{
    private static readonly string Key = SshPrivateKey.Generate(SshKeyTypes.Ed25519).PublicKey.ToString();

    [Fact]
    public void PlainLineHasNoOptions()
    {
        var line = AuthorizedKeyLine.Parse(Key + " alice@laptop");
        Assert.Empty(line.Options);
        Assert.Equal("alice@laptop", line.Comment);
        Assert.Equal(SshKeyTypes.Ed25519, line.Key.KeyType);
        Assert.True(line.PtyAllowed);
    }

    [Fact]
    public void OptionsWithQuotesEscapesAndFlags()
    {
        var line = AuthorizedKeyLine.Parse(
            "from=\"10.0.0.0/8,!10.1.2.3,*.example.com\",command=\"echo \\\"hi, there\\\" && exit\",no-pty,principals=\"alice,bob\",cert-authority,expiry-time=\"20300101Z\",environment=\"A=1\",environment=\"B=2\" " + Key + " c o m");
        Assert.Equal(["10.0.0.0/8", "!10.1.2.3", "*.example.com"], line.From);
        Assert.Equal("echo \"hi, there\" && exit", line.Command);
        Assert.False(line.PtyAllowed);
        Assert.True(line.CertAuthority);
        Assert.Equal(["alice", "bob"], line.Principals);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), line.ExpiryTime);
        Assert.False(line.IsExpired(new DateTimeOffset(2029, 12, 31, 23, 59, 59, TimeSpan.Zero)));
        Assert.True(line.IsExpired(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(["A=1", "B=2"], line.Values("environment"));
        Assert.Equal("c o m", line.Comment);
    }

    [Fact]
    public void RestrictTurnsEverythingOffUntilReEnabled()
    {
        var line = AuthorizedKeyLine.Parse("restrict,pty " + Key);
        Assert.True(line.Restrict);
        Assert.True(line.PtyAllowed);
        Assert.False(line.PortForwardingAllowed);
        Assert.False(line.AgentForwardingAllowed);
        Assert.False(line.X11ForwardingAllowed);
    }

    [Theory]
    [InlineData("command=\"unterminated ")]
    [InlineData("command=unquoted ")]
    [InlineData("no-pty,")]
    [InlineData("expiry-time=\"2030\" ")]
    public void MalformedOptionsAreRefused(string prefix)
    {
        Assert.Throws<FormatException>(() => AuthorizedKeyLine.Parse(prefix + Key));
        Assert.False(AuthorizedKeyLine.TryParse(prefix + Key, out _));
    }

    [Fact]
    public void FileParsingSkipsCommentsAndBadLines()
    {
        var text = "# comment\n\n" + Key + " one\nno-pty garbage AAAA\nssh-dss AAAAB3NzaC1kc3MAAAA= old\nno-pty " + Key + " two\n";
        var lines = AuthorizedKeyLine.ParseFile(text);
        Assert.Equal(["one", "two"], lines.Select(l => l.Comment));
    }

    [Fact]
    public void KeyTypeMustMatchBlob()
    {
        var parts = Key.Split(' ');
        Assert.Throws<FormatException>(() => AuthorizedKeyLine.Parse("ecdsa-sha2-nistp256 " + parts[1]));
    }
}
