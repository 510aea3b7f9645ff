using System.Text;
using Fumidai.Gateway.Bastion;

namespace Fumidai.Gateway.Tests.Bastion;

/// <summary>The menu prompt's line editing, fed read by read as a raw-mode terminal sends keys.</summary>
public sealed class TerminalLineReaderTests
{
    /// <summary>Hands out the given reads in order, then end of stream; keeps the echo.</summary>
    private sealed class Terminal(params byte[][] reads)
    {
        private readonly Queue<byte[]> _reads = new(reads);
        private readonly List<byte> _echo = [];

        public Terminal(params string[] reads) : this(reads.Select(r => Encoding.UTF8.GetBytes(r)).ToArray())
        {
        }

        public int Reads { get; private set; }

        public int Inputs { get; private set; }

        public List<byte> TypedAhead { get; } = [];

        public string Echo => Encoding.UTF8.GetString(_echo.ToArray());

        public string LeftOver => Encoding.UTF8.GetString(TypedAhead.ToArray());

        public Task<string?> ReadLineAsync() =>
            TerminalLineReader.ReadLineAsync(ReadAsync, WriteAsync, () => Inputs++, TypedAhead, CancellationToken.None);

        private ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            Reads++;
            if (!_reads.TryDequeue(out var next)) return ValueTask.FromResult(0);
            Assert.True(next.Length <= buffer.Length, "a test read larger than the reader's buffer");
            next.CopyTo(buffer);
            return ValueTask.FromResult(next.Length);
        }

        private ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            _echo.AddRange(data.ToArray());
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task Enter_ends_the_line_and_every_key_is_echoed()
    {
        var terminal = new Terminal("w", "e", "b", "0", "1", "\r");
        Assert.Equal("web01", await terminal.ReadLineAsync());
        Assert.Equal("web01\r\n", terminal.Echo);
        Assert.Equal(6, terminal.Inputs);
    }

    [Theory]
    [InlineData("web01\n")]
    [InlineData("web01\r\n")]
    [InlineData("  web01 \t\r")]
    public async Task A_line_ends_at_cr_lf_or_crlf_and_is_trimmed(string typed) =>
        Assert.Equal("web01", await new Terminal(typed).ReadLineAsync());

    [Fact]
    public async Task What_follows_the_end_of_a_line_is_kept_for_the_next_one_without_reading_again()
    {
        var terminal = new Terminal("web01\r\nroot@db01\rls -l\r");
        Assert.Equal("web01", await terminal.ReadLineAsync());
        Assert.Equal("root@db01\rls -l\r", terminal.LeftOver);
        Assert.Equal("root@db01", await terminal.ReadLineAsync());
        Assert.Equal(1, terminal.Reads);
        Assert.Equal("ls -l\r", terminal.LeftOver);
    }

    [Fact]
    public async Task Typed_ahead_bytes_come_before_the_channel()
    {
        var terminal = new Terminal("never read\r");
        terminal.TypedAhead.AddRange("db01\r"u8.ToArray());
        Assert.Equal("db01", await terminal.ReadLineAsync());
        Assert.Equal(0, terminal.Reads);
        Assert.Equal(0, terminal.Inputs);
    }

    [Theory]
    [InlineData("wex\u007fb01\r")]
    [InlineData("wex\bb01\r")]
    [InlineData("\u007f\u007fweb01\r")]
    public async Task Backspace_and_delete_erase_the_last_character_and_nothing_before_the_start(string typed)
    {
        var terminal = new Terminal(typed);
        Assert.Equal("web01", await terminal.ReadLineAsync());
        Assert.Equal(typed.Contains('x') ? 1 : 0, CountOf(terminal.Echo, "\b \b"));
    }

    [Theory]
    [InlineData("web\u0003")]
    [InlineData("web\u0004")]
    public async Task Ctrl_c_or_ctrl_d_gives_up(string typed)
    {
        var terminal = new Terminal(typed, "01\r");
        Assert.Null(await terminal.ReadLineAsync());
        Assert.EndsWith("^C\r\n", terminal.Echo);
    }

    [Fact]
    public async Task The_end_of_the_channel_gives_up() => Assert.Null(await new Terminal("web0").ReadLineAsync());

    [Fact]
    public async Task A_line_is_cut_at_its_maximum_length()
    {
        var terminal = new Terminal(new string('a', 200), "\r");
        Assert.Equal(new string('a', TerminalLineReader.MaxLength), await terminal.ReadLineAsync());
        Assert.Equal(new string('a', TerminalLineReader.MaxLength) + "\r\n", terminal.Echo);
    }

    [Theory]
    [InlineData("\u001b[Aweb01\r")] // up
    [InlineData("web\u001b[D\u001b[C01\r")] // left, right
    [InlineData("\u001bOAweb01\r")] // up in application cursor mode
    [InlineData("web01\u001b[3~\r")] // delete key
    [InlineData("\u001b[1;5Cweb01\r")] // ctrl-right
    public async Task Cursor_and_function_keys_are_ignored_whole(string typed)
    {
        var terminal = new Terminal(typed);
        Assert.Equal("web01", await terminal.ReadLineAsync());
        Assert.Equal("web01\r\n", terminal.Echo);
    }

    [Fact]
    public async Task A_key_sequence_split_across_reads_is_still_ignored_and_enter_after_escape_still_ends_the_line()
    {
        Assert.Equal("web01", await new Terminal("web", "\u001b", "[", "D", "01\r").ReadLineAsync());
        Assert.Equal("web01", await new Terminal("web01\u001b", "\r").ReadLineAsync());
    }

    [Theory]
    [InlineData("w\u0435b01\r", "w\uFFFDb01")] // Cyrillic е
    [InlineData("\uFF57eb01\r", "\uFFFDeb01")] // fullwidth ｗ
    [InlineData("we\u0301b01\r", "we\uFFFDb01")] // e and a combining acute (NFD)
    [InlineData("w\u00e9b01\r", "w\uFFFDb01")] // é composed (NFC)
    [InlineData("web01\u200b\r", "web01\uFFFD")] // zero-width space
    [InlineData("web\U0001D7D801\r", "web\uFFFD01")] // mathematical double-struck zero, four bytes
    public async Task A_character_the_prompt_cannot_take_stays_visible_instead_of_vanishing(string typed, string line)
    {
        // Dropping it would turn a look-alike into the ASCII name ("we\u0301b01" into "web01").
        var terminal = new Terminal(typed);
        Assert.Equal(line, await terminal.ReadLineAsync());
        Assert.Equal(line + "\r\n", terminal.Echo);
    }

    [Fact]
    public async Task Bytes_that_are_not_utf8_and_a_character_split_across_reads_each_count_once()
    {
        Assert.Equal("caf\uFFFD", await new Terminal([(byte)'c', (byte)'a', (byte)'f', 0xE9, (byte)'\r']).ReadLineAsync());
        Assert.Equal("a\uFFFDb", await new Terminal([(byte)'a', 0x80, (byte)'b', (byte)'\r']).ReadLineAsync());
        Assert.Equal("w\uFFFDb01", await new Terminal([(byte)'w', 0xD0], [0xB5, (byte)'b', (byte)'0', (byte)'1', (byte)'\r']).ReadLineAsync());
    }

    [Fact]
    public async Task Backspace_erases_a_whole_character_the_prompt_could_not_take()
    {
        var terminal = new Terminal("w\u0435\u007feb01\r");
        Assert.Equal("web01", await terminal.ReadLineAsync());
        Assert.Equal(1, CountOf(terminal.Echo, "\b \b"));
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
