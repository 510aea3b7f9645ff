using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Transcripts;

namespace Fumidai.Gateway.Tests.Sessions;

/// <summary>What the command index holds for each kind of session, read from synthesized recordings.</summary>
public sealed class SessionIndexerTests
{
    private static SessionRecord Session(string kind, string? command) =>
        new("s1", "alice", "web01", "root", kind, command, "127.0.0.1", DateTimeOffset.UtcNow, null, "closed", null, 0, 0, null);

    private static MemoryStream Recording(params AsciicastEvent[] events)
    {
        var stream = new MemoryStream();
        using (var writer = new AsciicastWriter(stream, leaveOpen: true))
        {
            writer.WriteHeader(new AsciicastHeader(80, 24));
            foreach (var e in events) writer.WriteEvent(e);
        }
        stream.Position = 0;
        return stream;
    }

    private static AsciicastEvent I(double t, string s) => AsciicastEvent.Input(TimeSpan.FromSeconds(t), s);
    private static AsciicastEvent O(double t, string s) => AsciicastEvent.Output(TimeSpan.FromSeconds(t), s);

    [Theory]
    [InlineData("bash")]
    [InlineData("sh")]
    [InlineData("/bin/sh")]
    [InlineData("bash -s")]
    [InlineData("bash -s -- one two")]
    [InlineData("sudo -s")]
    [InlineData("sudo -i")]
    [InlineData("sudo bash")]
    [InlineData("sudo -u postgres -s")]
    [InlineData("sudo su -")]
    [InlineData("su")]
    [InlineData("exec bash --norc -x")]
    [InlineData("env -i bash")]
    [InlineData("bash -o posix")]
    [InlineData("busybox sh")]
    [InlineData("zsh")]
    public void ExecsThatRunAShellListTheLinesFedOnStdin(string exec)
    {
        using var recording = Recording(I(0.1, "echo one\nrm -rf /tmp/x\n"), O(0.2, "one\n"), I(0.5, "id\n"));
        Assert.Equal(
            [(TimeSpan.Zero, exec, null), (TimeSpan.FromSeconds(0.1), "echo one", CommandMarks.Stdin),
             (TimeSpan.FromSeconds(0.1), "rm -rf /tmp/x", CommandMarks.Stdin), (TimeSpan.FromSeconds(0.5), "id", CommandMarks.Stdin)],
            SessionIndexer.Commands(Session("exec", exec), recording));
    }

    [Theory]
    [InlineData("bash -c 'cat > /tmp/f'")]
    [InlineData("sh script.sh")]
    [InlineData("cat > /tmp/f")]
    [InlineData("sudo tee /etc/motd")]
    [InlineData("sudo -u bash id")]
    [InlineData("bash -- script.sh")]
    [InlineData("su -c id")]
    public void OtherExecsListOnlyTheirCommandLine(string exec)
    {
        using var recording = Recording(I(0.1, "echo data\n"));
        Assert.Equal([(TimeSpan.Zero, exec, null)], SessionIndexer.Commands(Session("exec", exec), recording));
    }

    [Fact]
    public void AnExecWithoutARecordingStillListsItsCommandLine() =>
        Assert.Equal([(TimeSpan.Zero, "bash", (string?)null)], SessionIndexer.Commands(Session("exec", "bash"), (Stream?)null));

    [Fact]
    public void ShellSessionsCarryTheMarksOfHiddenCommands()
    {
        using var recording = Recording(O(0, "$ "), I(1, "stty -echo\r"), O(1.1, "stty -echo\r\n$ "), I(2, "e"), I(2.1, "cho x\r"), O(2.2, "x\r\n$ "));
        Assert.Equal([(TimeSpan.FromSeconds(1), "stty -echo", null), (TimeSpan.FromSeconds(2.1), "echo x", CommandMarks.WithoutEcho)],
            SessionIndexer.Commands(Session("shell", null), recording));
    }
}
