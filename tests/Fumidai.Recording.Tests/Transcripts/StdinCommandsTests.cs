using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Transcripts;

namespace Fumidai.Recording.Tests.Transcripts;

public class StdinCommandsTests
{
    private static AsciicastEvent O(double t, string s) => AsciicastEvent.Output(TimeSpan.FromSeconds(t), s);
    private static AsciicastEvent I(double t, string s) => AsciicastEvent.Input(TimeSpan.FromSeconds(t), s);

    [Fact]
    public void EachLineFedOnStdinIsListedWhenItEnds()
    {
        var commands = StdinCommands.Extract([I(0.5, "echo one\necho two\r\n"), O(0.6, "one\ntwo\n"), I(1, "ech"), I(2, "o three\n"), I(3, "\n  \n"), I(4, "tail")]);
        Assert.Equal(
            [new TypedCommand(TimeSpan.FromSeconds(0.5), "echo one", CommandMarks.Stdin), new TypedCommand(TimeSpan.FromSeconds(0.5), "echo two", CommandMarks.Stdin),
             new TypedCommand(TimeSpan.FromSeconds(2), "echo three", CommandMarks.Stdin), new TypedCommand(TimeSpan.FromSeconds(4), "tail", CommandMarks.Stdin)],
            commands);
    }

    [Fact]
    public void LineEditingOfAPtyIsApplied() =>
        Assert.Equal(["id"], StdinCommands.Extract([I(0, "rm -rf /\u0015id\r")]).Select(c => c.Command));
}
