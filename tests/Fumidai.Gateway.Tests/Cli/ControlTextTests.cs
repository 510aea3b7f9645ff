using System.Text.Json;
using Fumidai.Cli.Output;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Fumidai.Ssh.Wire;

namespace Fumidai.Gateway.Tests.Cli;

public sealed class ControlTextTests
{
    [Theory]
    [InlineData("plain text, ümlauts, 日本語, emoji 😀", "plain text, ümlauts, 日本語, emoji 😀")]
    [InlineData("x\u001b[2K\rlogin ok", @"x\u001b[2K\rlogin ok")]
    [InlineData("\0\a\b\t\n\v\f\r\u001f", @"\u0000\u0007\b\t\n\u000b\f\r\u001f")]
    [InlineData("del\u007f c1\u0080\u009b\u009f", @"del\u007f c1\u0080\u009b\u009f")]
    [InlineData("bidi\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c", @"bidi\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")]
    [InlineData("zero\u200bwidth\ufeff sep\u2028\u2029", @"zero\u200bwidth\ufeff sep\u2028\u2029")]
    [InlineData("tag\U000E0041", @"tag\udb40\udc41")]
    [InlineData(@"a\u001b stays as typed", @"a\u001b stays as typed")]
    public void Escapes_controls_format_characters_and_separators_in_one_form(string input, string expected) =>
        Assert.Equal(expected, ControlText.Escape(input));

    [Fact]
    public void Every_escape_is_a_json_string_escape_of_the_same_text()
    {
        // Every BMP character but JSON's own two specials (backslashes are not escaped) and lone surrogates, plus a tag character.
        string all = string.Concat(Enumerable.Range(0, 0x10000).Select(i => (char)i).Where(c => !char.IsSurrogate(c) && c is not '\\' and not '"'))
            + "\U000E0001";
        string escaped = ControlText.Escape(all);
        ControlCharacterOutputTests.AssertNoControlCharacters(escaped);
        Assert.Equal(all, JsonSerializer.Deserialize<string>("\"" + escaped + "\""));
    }

    [Fact]
    public void Null_and_empty_are_empty_and_safe_text_is_returned_as_is()
    {
        Assert.Equal("", ControlText.Escape(null));
        Assert.Equal("", ControlText.Escape(""));
        const string safe = "alice:web01";
        Assert.Same(safe, ControlText.Escape(safe));
        Assert.Equal(-1, ControlText.IndexOfUnsafe(safe));
        // Built at run time: a lone surrogate does not survive as theory data.
        Assert.Equal(@"lone\ud800 and \udc00", ControlText.Escape("lone" + (char)0xd800 + " and " + (char)0xdc00));
        Assert.Equal(5, ControlText.IndexOfUnsafe("alice\u202e"));
    }

    [Fact]
    public void The_writer_escapes_newlines_inside_writes_and_ends_lines_only_with_WriteLine()
    {
        var inner = new StringWriter { NewLine = "\n" };
        var writer = new EscapingWriter(inner);
        writer.Write("a\nb");
        writer.Write('\u001b');
        writer.WriteLine("c\rd");
        writer.WriteLine($"{"e"}\u202e");
        writer.WriteLine();
        Assert.Equal("a\\nb\\u001bc\\rd\ne\\u202e\n\n", inner.ToString());
    }

    [Fact]
    public async Task The_writer_ends_lines_of_asynchronous_writes_too()
    {
        var inner = new StringWriter { NewLine = "\n" };
        var writer = new EscapingWriter(inner);
        await writer.WriteAsync("x\u001b");
        await writer.WriteLineAsync("y");
        await writer.WriteLineAsync();
        await writer.WriteLineAsync(new System.Text.StringBuilder("z\n"));
        await writer.FlushAsync();
        Assert.Equal("x\\u001by\n\nz\\n\n", inner.ToString());
    }

    [Fact]
    public void The_writer_keeps_a_surrogate_pair_split_across_writes_and_escapes_a_lone_half()
    {
        var inner = new StringWriter { NewLine = "\n" };
        var writer = new EscapingWriter(inner);
        string emoji = "😀";
        writer.Write(emoji[0]);
        writer.Write(emoji[1]);
        writer.Write('\ud800');
        writer.WriteLine();
        writer.Write("\U000E0041"[0]);
        writer.Write("\U000E0041"[1]);
        writer.Flush();
        Assert.Equal("😀\\ud800\n\\udb40\\udc41", inner.ToString());
    }

    [Fact]
    public void A_writer_for_our_own_layout_keeps_newlines_and_escapes_the_rest()
    {
        var inner = new StringWriter { NewLine = "\n" };
        var writer = new EscapingWriter(inner, keepLineBreaks: true);
        writer.Write("Usage:\n  fumidai\u001b[31m\n");
        Assert.Equal("Usage:\n  fumidai\\u001b[31m\n", inner.ToString());
    }

    [Fact]
    public void A_log_line_escapes_message_category_scopes_and_exception_on_one_line()
    {
        var scopes = new LoggerExternalScopeProvider();
        using var scope = scopes.Push("conn\u001b[1m");
        var entry = new LogEntry<string>(LogLevel.Warning, "audit\u202e", new EventId(7), "login user=x\u001b[2K\rfake",
            new InvalidOperationException("bad\nline"), (state, _) => state);

        string line = EscapingConsoleFormatter.Format(entry, scopes, new DateTimeOffset(2026, 1, 2, 3, 4, 5, 6, TimeSpan.Zero));

        Assert.Equal('\n', line[^1]);
        ControlCharacterOutputTests.AssertNoControlCharacters(line[..^1].Replace("\n", "!"));
        Assert.DoesNotContain('\n', line[..^1]);
        Assert.StartsWith(@"2026-01-02T03:04:05.006Z warn: audit\u202e[7] login user=x\u001b[2K\rfake => conn\u001b[1m System.InvalidOperationException: bad\nline",
            line);
    }
}
