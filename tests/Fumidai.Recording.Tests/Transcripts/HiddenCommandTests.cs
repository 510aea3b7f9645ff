using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Transcripts;

namespace Fumidai.Recording.Tests.Transcripts;

// Commands whose line never shows at a prompt on the normal screen are still listed, with a mark saying why.
public class HiddenCommandTests
{
    private static AsciicastEvent O(double t, string s) => AsciicastEvent.Output(TimeSpan.FromSeconds(t), s);
    private static AsciicastEvent I(double t, string s) => AsciicastEvent.Input(TimeSpan.FromSeconds(t), s);

    /// <summary>Keys one by one from <paramref name="t"/>, each echoed (or not) as a shell would.</summary>
    private static IEnumerable<AsciicastEvent> Type(double t, string text, bool echo = true)
    {
        foreach (char c in text)
        {
            yield return I(t, c.ToString());
            if (echo) yield return O(t + 0.001, c == '\u007f' ? "\b \b" : c.ToString());
            t += 0.01;
        }
    }

    private static List<(string Command, string? Mark)> Commands(IEnumerable<AsciicastEvent> events) =>
        CommandExtractor.Extract(events, 60, 10).Select(c => (c.Command, c.Mark)).ToList();

    private static IEnumerable<AsciicastEvent> Run(double t, string command, string output, string prompt = "$ ") =>
        [.. Type(t, command), I(t + 1, "\r"), O(t + 1.01, "\r\n" + output + prompt)];

    [Fact]
    public void ALineTypedAndShownIsListedOnceWithoutAMark()
    {
        var events = new[] { O(0, "$ ") }.Concat(Run(1, "echo seen", "seen\r\n"));
        Assert.Equal([("echo seen", null)], Commands(events));
    }

    [Theory]
    [InlineData("printf '\\e[?1049h'", "\e[?1049h")]
    [InlineData("tput smcup", "\e[?1049h\e[22;0;0t")]
    public void CommandsTypedOnTheAlternateScreenAreListed(string enter, string sequence)
    {
        var events = new[] { O(0, "$ ") }
            .Concat(Run(1, enter, sequence))
            .Concat(Run(3, "echo hidden-alt", "hidden-alt\r\n"))
            .Concat(Type(5, "echo hiddXX\u007f\u007fen-two")).Append(I(6, "\r")).Append(O(6.01, "\r\nhidden-two\r\n$ "));
        Assert.Equal([(enter, null), ("echo hidden-alt", CommandMarks.AlternateScreen), ("echo hidden-two", CommandMarks.AlternateScreen)],
            Commands(events));
    }

    [Fact]
    public void KeysInAKnownFullScreenProgramAreNotCommands()
    {
        var events = new[] { O(0, "$ ") }
            .Concat(Run(1, "less /etc/hosts", "\e[?1049h127.0.0.1 localhost\r\n:", ""))
            .Append(I(3, "/local\r")).Append(I(4, "q")).Append(O(4.1, "\e[?1049l$ "))
            .Concat(Run(5, "id", "uid=0\r\n"));
        Assert.Equal([("less /etc/hosts", null), ("id", null)], Commands(events));
    }

    [Fact]
    public void CommandsTypedWithoutEchoAreListed()
    {
        var events = new[] { O(0, "$ ") }
            .Concat(Run(1, "stty -echo", ""))
            .Concat(Type(3, "echo hidden-noecho", echo: false)).Append(I(4, "\r")).Append(O(4.1, "hidden-noecho\r\n$ "))
            .Concat(Type(5, "rm -rf /tmp/xx\u0017\u0017\u0017id", echo: false)).Append(I(6, "\r")).Append(O(6.1, "uid=0\r\n$ "));
        Assert.Equal([("stty -echo", null), ("echo hidden-noecho", CommandMarks.WithoutEcho), ("id", CommandMarks.WithoutEcho)],
            Commands(events));
    }

    [Fact]
    public void ALinePastedWithoutEchoIsListed()
    {
        var events = new[] { O(0, "$ ") }
            .Concat(Run(1, "stty -echo", ""))
            .Append(I(3, "echo hidden-paste\r")).Append(O(3.1, "hidden-paste\r\n$ "));
        Assert.Contains(("echo hidden-paste", CommandMarks.WithoutEcho), Commands(events));
    }

    [Fact]
    public void CommandsTypedWithoutAPromptAreListed()
    {
        var events = new[] { O(0, "$ ") }
            .Concat(Run(1, "PS1=''", "", ""))
            .Concat(Run(3, "echo hidden-noprompt", "hidden-noprompt\r\n", ""));
        Assert.Equal([("PS1=''", null), ("echo hidden-noprompt", CommandMarks.NoPrompt)], Commands(events));
    }

    [Fact]
    public void KeysTypedAheadOfThePromptAreReadAfterIt()
    {
        // The tty echoes "id" while sleep runs, then bash prints its prompt and redraws "id" after it, on the same line.
        var events = new[] { O(0, "$ ") }.Concat(Type(0.1, "sleep 1")).Append(I(1, "\r")).Append(O(1.01, "\r\n"))
            .Concat(Type(1.2, "id")).Append(O(2, "$ id")).Append(I(3, "\r")).Append(O(3.01, "\r\nuid=0\r\n$ "));
        Assert.Equal([("sleep 1", null), ("id", null)], Commands(events));
    }

    [Fact]
    public void PasswordsAtAPasswordPromptStayOut()
    {
        // Typed key by key, and pasted in one event; at sudo's prompt and at a silent read with no prompt.
        var events = new[] { O(0, "$ ") }
            .Concat(Run(1, "sudo -i", "[sudo] password for alice: ", ""))
            .Concat(Type(2, "hunter2", echo: false)).Append(I(3, "\r")).Append(O(3.1, "\r\nSorry, try again.\r\n[sudo] password for alice: "))
            .Append(I(4, "hunter3\r")).Append(O(4.1, "\r\n# "))
            .Concat(Run(5, "stty -echo; read pw; stty echo", "", ""))
            .Concat(Type(6, "s3cret", echo: false)).Append(I(7, "\r")).Append(O(7.1, "# "));
        Assert.Equal([("sudo -i", null), ("stty -echo; read pw; stty echo", null)], Commands(events));
    }

    [Fact]
    public void APasswordTypedOnTheAlternateScreenStaysOut()
    {
        var events = new[] { O(0, "$ ") }
            .Concat(Run(1, "tmux", "\e[?1049h"))
            .Concat(Run(3, "sudo id", "[sudo] password for alice: ", ""))
            .Concat(Type(4, "hunter2", echo: false)).Append(I(5, "\r")).Append(O(5.1, "\r\nuid=0\r\n$ "));
        Assert.Equal([("tmux", null), ("sudo id", CommandMarks.AlternateScreen)], Commands(events));
    }

    [Fact]
    public void TheTranscriptMarksHiddenCommands()
    {
        var events = new[] { O(0, "$ ") }
            .Concat(Run(1, "stty -echo", ""))
            .Concat(Type(3, "echo hidden-noecho", echo: false)).Append(I(4, "\r")).Append(O(4.1, "hidden-noecho\r\n$ "))
            .Concat(Run(5, "printf '\\e[?1049h'", "\e[?1049h$ "))
            .Concat(Run(6, "echo hidden-alt", "hidden-alt\r\n"));
        var lines = Transcript.Build(events, 60, 10).Lines.Select(l => l.Text).ToList();
        Assert.Contains("[typed without echo] echo hidden-noecho", lines);
        Assert.Contains("[typed on the alternate screen] echo hidden-alt", lines);
        Assert.True(lines.IndexOf("$ stty -echo") < lines.IndexOf("[typed without echo] echo hidden-noecho"), string.Join('\n', lines));
    }
}
