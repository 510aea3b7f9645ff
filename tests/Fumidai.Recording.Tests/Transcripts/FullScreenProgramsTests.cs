using Fumidai.Recording.Transcripts;

namespace Fumidai.Recording.Tests.Transcripts;

public class FullScreenProgramsTests
{
    [Theory]
    [InlineData("vim /etc/hosts", true)]
    [InlineData("sudo -E /usr/bin/vi notes.txt", true)]
    [InlineData("ps aux | less", true)]
    [InlineData("LANG=C man ls", true)]
    [InlineData("top", true)]
    [InlineData("printf '\\e[?1049h'", false)]
    [InlineData("tput smcup", false)]
    [InlineData("less /dev/null; printf '\\e[?1049h'", false)]
    [InlineData("echo 'vim'", false)]
    [InlineData("tmux", false)]
    [InlineData(null, false)]
    public void OnlyTheLastProgramOfTheLineCounts(string? command, bool known) => Assert.Equal(known, FullScreenPrograms.IsKnown(command));
}
