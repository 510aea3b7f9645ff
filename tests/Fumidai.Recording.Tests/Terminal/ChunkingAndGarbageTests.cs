using System.Text;
using Fumidai.Recording.Terminal;

namespace Fumidai.Recording.Tests.Terminal;

public class ChunkingAndGarbageTests
{
    private const string Sample =
        "\e]0;ec2-user@ip-10-0-2-182:~\a[ec2-user@ip ~]$ ls\r\n\e[0m\e[01;34mディレクトリ\e[0m  file.txt\r\n" +
        "\e[?2004h\e[2;4r\e[3;1Hscroll\n\e[r\e[H\e[2@\e[1P\e[K\e[5;10H日本\e[?1049h\e[Halt\e[?1049lend\e[38:2::255:0:0mé";

    [Fact]
    public void EveryChunkBoundaryGivesTheSameScreen()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Sample);
        var whole = new TerminalScreen(30, 6);
        whole.Feed(bytes);
        string expected = whole.GetText();
        for (int split = 1; split < bytes.Length; split++)
        {
            var s = new TerminalScreen(30, 6);
            s.Feed(bytes.AsSpan(0, split));
            s.Feed(bytes.AsSpan(split));
            Assert.Equal(expected, s.GetText());
            Assert.Equal(whole.Title, s.Title);
            Assert.Equal((whole.CursorRow, whole.CursorColumn), (s.CursorRow, s.CursorColumn));
        }
    }

    [Fact]
    public void ByteAtATimeGivesTheSameScreen()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Sample);
        var whole = new TerminalScreen(30, 6);
        whole.Feed(bytes);
        var s = new TerminalScreen(30, 6);
        foreach (byte b in bytes)
            s.Feed([b]);
        Assert.Equal(whole.GetText(), s.GetText());
    }

    [Fact]
    public void HugeOscStringIsBoundedAndTerminates()
    {
        var s = new TerminalScreen(20, 3);
        s.Feed("\e]2;"u8);
        var chunk = new byte[1 << 20];
        chunk.AsSpan().Fill((byte)'A');
        for (int i = 0; i < 10; i++)
            s.Feed(chunk);
        s.Feed("\aok"u8);
        Assert.Equal(VtParser.MaxOscLength - 2, s.Title!.Length);
        Assert.Equal("ok", s.GetRowText(0));
    }

    [Fact]
    public void HugeParameterListAndValuesAreBounded()
    {
        var s = new TerminalScreen(20, 3);
        s.Feed(Encoding.ASCII.GetBytes("\e[" + string.Join(';', Enumerable.Repeat("99999999999", 10_000)) + "Hx"));
        Assert.Equal("x", s.GetRowText(2).Trim());
    }

    [Fact]
    public void BinaryGarbageNeverThrows()
    {
        var random = new Random(6);
        var bytes = new byte[1 << 20];
        random.NextBytes(bytes);
        var s = new TerminalScreen(80, 24);
        for (int i = 0; i < bytes.Length; i += 4093)
        {
            s.Feed(bytes.AsSpan(i, Math.Min(4093, bytes.Length - i)));
            if (i % (4093 * 50) == 0)
                s.Resize(random.Next(1, 200), random.Next(1, 60));
        }
        s.Flush();
        Assert.InRange(s.CursorRow, 0, s.Rows - 1);
        Assert.InRange(s.CursorColumn, 0, s.Columns - 1);
        _ = s.GetText();
    }

    [Fact]
    public void EnormousLineWraps()
    {
        var s = new TerminalScreen(80, 24);
        var line = new byte[8 << 20];
        line.AsSpan().Fill((byte)'x');
        s.Feed(line);
        Assert.Equal(new string('x', 80), s.GetRowText(22));
        Assert.Equal(new string('x', (8 << 20) % 80), s.GetRowText(23));
    }
}
