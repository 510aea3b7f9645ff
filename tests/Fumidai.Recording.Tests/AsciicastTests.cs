using System.Text;
using Fumidai.Recording.Asciicast;

namespace Fumidai.Recording.Tests;

public class AsciicastTests
{
    [Fact]
    public void WriteThenReadRoundTrips()
    {
        var stream = new MemoryStream();
        using (var writer = new AsciicastWriter(stream, leaveOpen: true))
        {
            writer.WriteHeader(new AsciicastHeader(120, 40) { Timestamp = 1700000000, Env = new Dictionary<string, string> { ["TERM"] = "xterm-256color" } });
            writer.WriteEvent(AsciicastEvent.Output(TimeSpan.FromSeconds(0.25), "\e[1m日本語\r\n\"q\"\\"));
            writer.WriteEvent(AsciicastEvent.Input(TimeSpan.FromSeconds(1.5), "\x7f\r"));
            writer.WriteEvent(AsciicastEvent.Resize(TimeSpan.FromSeconds(2), 100, 30));
        }
        string text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.StartsWith("{\"version\":2,\"width\":120,\"height\":40,\"timestamp\":1700000000,", text);
        Assert.Contains("[0.25,\"o\",\"\\u001B[1m日本語\\r\\n\\\"q\\\"\\\\\"]\n", text);
        stream.Position = 0;
        using var reader = new AsciicastReader(stream);
        Assert.Equal(120, reader.Header.Width);
        Assert.Equal("xterm-256color", reader.Header.Env!["TERM"]);
        var events = reader.ReadEvents().ToList();
        Assert.Equal(3, events.Count);
        Assert.Equal("\e[1m日本語\r\n\"q\"\\", events[0].Data);
        Assert.Equal(AsciicastEventType.Input, events[1].Type);
        Assert.True(events[2].TryGetSize(out int c, out int r));
        Assert.Equal((100, 30), (c, r));
    }

    [Fact]
    public void TruncatedLastLineAndGarbageAreSkipped()
    {
        string file = "{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.1, \"o\", \"a\"]\nnot json\n[0.2, \"x\", \"b\"]\n[0.3, \"o\", \"c\"]\n[0.4, \"o\", \"\\u00";
        using var reader = new AsciicastReader(new StringReader(file));
        Assert.Equal(["a", "c"], reader.ReadEvents().Select(e => e.Data));
        Assert.Equal(3, reader.SkippedLines);
    }

    [Fact]
    public void NotACastThrowsInvalidData()
    {
        using var reader = new AsciicastReader(new StringReader("{\"version\": 1}\n"));
        Assert.Throws<InvalidDataException>(() => reader.Header);
    }
}
