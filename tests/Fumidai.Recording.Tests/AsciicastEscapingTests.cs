using System.Text;
using Fumidai.Recording.Asciicast;

namespace Fumidai.Recording.Tests;

/// <summary>The writer's run-at-a-time escaping of UTF-8 output makes the same bytes as the JSON writer's per-character path.</summary>
public sealed class AsciicastEscapingTests
{
    [Fact]
    public void Binary_zeros_and_controls_are_written_exactly()
    {
        string line = WriteUtf8([0, 0, 0, (byte)'a', 0x1B, (byte)'[', 0x7F, (byte)'\t', (byte)'"', (byte)'\\', (byte)'\r', (byte)'\n', 8, 12, 1]);
        Assert.Equal("[0.5,\"o\",\"\\u0000\\u0000\\u0000a\\u001B[\\u007F\\t\\\"\\\\\\r\\n\\b\\f\\u0001\"]\n", line);
    }

    [Fact]
    public void Every_ascii_byte_alone_and_in_runs_matches_the_json_writer()
    {
        for (int b = 0; b < 0x80; b++)
        {
            foreach (int run in new[] { 1, 2, 7, 300 })
            {
                byte[] data = Enumerable.Repeat((byte)b, run).ToArray();
                Assert.Equal(WriteText(Encoding.UTF8.GetString(data)), WriteUtf8(data));
            }
        }
    }

    [Theory]
    [InlineData("日本語のファイル名.txt\r\n")]
    [InlineData("é🙂\u001b[31mred\u001b[0m\0\0 end")]
    [InlineData("line\u2028separator\u2029and BOM \uFEFF")]
    [InlineData("\uFFFD\uFFFD replacement")]
    [InlineData("")]
    public void Text_matches_the_json_writer(string text) =>
        Assert.Equal(WriteText(text), WriteUtf8(Encoding.UTF8.GetBytes(text)));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_mixtures_match_the_json_writer(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 200; round++)
        {
            string text = string.Concat(Enumerable.Range(0, random.Next(1, 60)).Select(_ => random.Next(7) switch
            {
                0 => new string((char)random.Next(0, 0x80), random.Next(1, 5)),
                1 => "ü",
                2 => "漢字",
                3 => "🙂",
                4 => "\u0085\u00A0",
                5 => "\u001b[1;32m",
                _ => "plain text ",
            }));
            Assert.Equal(WriteText(text), WriteUtf8(Encoding.UTF8.GetBytes(text)));
        }
    }

    private static string WriteUtf8(byte[] utf8) => Write(writer => writer.WriteEvent(TimeSpan.FromSeconds(0.5), AsciicastEventType.Output, utf8));

    private static string WriteText(string text) => Write(writer => writer.WriteEvent(TimeSpan.FromSeconds(0.5), AsciicastEventType.Output, text));

    private static string Write(Action<AsciicastWriter> write)
    {
        var stream = new MemoryStream();
        using (var writer = new AsciicastWriter(stream, leaveOpen: true))
        {
            writer.WriteHeader(new AsciicastHeader(80, 24));
            long start = stream.Length;
            write(writer);
            return Encoding.UTF8.GetString(stream.ToArray().AsSpan((int)start));
        }
    }
}

/// <summary>Keyframes parse sealed chunks' bytes in place: the same events, and the same refusals, as the string parser.</summary>
public sealed class AsciicastByteParsingTests
{
    [Theory]
    [InlineData("[0.5,\"o\",\"\\u0000\\u0000a\\u001B[1m日本\"]")]
    [InlineData("[1.25, \"i\", \"ls\\r\"]")]
    [InlineData("[2,\"r\",\"100x30\"]")]
    [InlineData("[3.5,\"m\",\"end: exit\"]")]
    [InlineData("[3.5,\"\\u006f\",\"escaped code\"]")]
    [InlineData("[0.1,\"o\",\"a\",\"extra\",[1,{\"x\":2}]]")]
    [InlineData("[0.1,\"o\",\"a\"] trailing")]
    [InlineData("[0.1,\"o\",\"a\"")]
    [InlineData("[0.4, \"o\", \"\\u00")]
    [InlineData("[0.1,\"x\",\"a\"]")]
    [InlineData("[-1,\"o\",\"a\"]")]
    [InlineData("[1e400,\"o\",\"a\"]")]
    [InlineData("[\"0.1\",\"o\",\"a\"]")]
    [InlineData("[0.1,\"o\",5]")]
    [InlineData("[0.1,\"o\"]")]
    [InlineData("{\"version\":2,\"width\":80,\"height\":24}")]
    [InlineData("not json")]
    [InlineData("")]
    public void Bytes_parse_like_the_string(string line)
    {
        bool expected = TryString(line, out var want);
        Assert.Equal(expected, AsciicastReader.TryParseEvent(Encoding.UTF8.GetBytes(line), out var got));
        Assert.Equal(want, got);
    }

    [Fact]
    public void Invalid_utf8_reads_as_replacement_characters_like_the_string()
    {
        byte[] line = [.. "[0.5,\"o\",\"a"u8, 0xFF, .. "b\"]"u8];
        Assert.True(AsciicastReader.TryParseEvent(line, out var e));
        Assert.Equal("a\uFFFDb", e.Data);
    }

    private static bool TryString(string line, out AsciicastEvent e)
    {
        try
        {
            return AsciicastReader.TryParseEvent(line, out e);
        }
        catch (FormatException)
        {
            e = default;
            return false;
        }
    }
}
