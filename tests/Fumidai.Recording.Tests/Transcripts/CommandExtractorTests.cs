using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Transcripts;

namespace Fumidai.Recording.Tests.Transcripts;

// Hand-made streams for the rules; the real-shell behaviour is covered by the corpus.
public class CommandExtractorTests
{
    private static AsciicastEvent O(double t, string s) => AsciicastEvent.Output(TimeSpan.FromSeconds(t), s);
    private static AsciicastEvent I(double t, string s) => AsciicastEvent.Input(TimeSpan.FromSeconds(t), s);

    private static List<string> Commands(params AsciicastEvent[] events) =>
        CommandExtractor.Extract(events, 40, 10).Select(c => c.Command).ToList();

    [Fact]
    public void PastedLineInOneEventIsReadAfterItsEcho()
    {
        var c = CommandExtractor.Extract([O(0, "$ "), I(1, "ls -l\r"), O(1.01, "ls -l\r\ntotal 0\r\n$ ")], 40, 10);
        Assert.Equal([new TypedCommand(TimeSpan.FromSeconds(1), "ls -l")], c);
    }

    [Fact]
    public void EchoOffInputIsNotACommand()
    {
        Assert.Equal(["sudo -i"], Commands(
            O(0, "$ "), I(1, "sudo -i\r"), O(1, "sudo -i\r\n[sudo] password for alice: "),
            I(2, "h"), I(2.1, "u"), I(2.2, "n"), I(2.3, "\r"), O(2.4, "\r\n# ")));
    }

    [Fact]
    public void CtrlCCancelsTheLine()
    {
        Assert.Equal(["ok"], Commands(
            O(0, "$ "), I(1, "r"), O(1, "r"), I(1.1, "m"), O(1.1, "m"), I(1.2, "\x03"), O(1.2, "^C\r\n$ "),
            I(2, "o"), O(2, "o"), I(2.1, "k"), O(2.1, "k"), I(2.2, "\r"), O(2.2, "\r\n$ ")));
    }

    [Fact]
    public void InputWithoutAPromptIsListedAsSuch()
    {
        // Input to cat looks like commands typed at an empty PS1; both are listed, marked, so that neither hides a command.
        Assert.Equal([new TypedCommand(TimeSpan.FromSeconds(1), "cat"), new TypedCommand(TimeSpan.FromSeconds(3), "text", CommandMarks.NoPrompt)],
            CommandExtractor.Extract([O(0, "$ "), I(1, "cat\r"), O(1, "cat\r\n"), I(2, "text"), O(2, "text"), I(3, "\r"), O(3, "\r\ntext\r\n")], 40, 10));
    }

    [Fact]
    public void EmptyEnterIsNotACommand()
    {
        Assert.Empty(Commands(O(0, "$ "), I(1, "\r"), O(1, "\r\n$ ")));
    }

    [Fact]
    public void EnterWithoutEchoAtTheEndStillCounts()
    {
        Assert.Equal(["reboot"], Commands(O(0, "$ "), I(0.5, "reboot"), O(0.6, "reboot"), I(1, "\r")));
    }

    [Fact]
    public void CtrlCAtAPsqlContinuationPromptAbandonsTheStatement()
    {
        Assert.Equal(["select 1;"], Commands(
            O(0, "db=# "), I(1, "delete from t\r"), O(1, "delete from t\r\ndb-# "), I(2, "\x03"), O(2, "^C\r\ndb=# "),
            I(3, "select 1;\r"), O(3, "select 1;\r\n ?column? \r\ndb=# ")));
    }

    [Fact]
    public void APromptThatMerelyLooksLikePsqlsDoesNotJoinAnotherPrompt()
    {
        // "db-# " continues "db=# " only; after "web=# " it is a prompt of its own.
        Assert.Equal(["one", "two"], Commands(
            O(0, "web=# "), I(1, "one\r"), O(1, "one\r\ndb-# "), I(2, "two\r"), O(2, "two\r\ndb-# ")));
    }
}
