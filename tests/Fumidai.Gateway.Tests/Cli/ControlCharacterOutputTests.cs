using System.Globalization;
using System.Text.Json;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Asciicast;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary>User names, commands and details are data: the CLI's text output shows their control characters escaped.</summary>
public sealed class ControlCharacterOutputTests
{
    // Erase the line, return to its start and print a fake success: what an attacker wants an auditor's terminal to show.
    private const string FakeLogin = "x\u001b[2K\rlogin success admin";
    private const string FakeLoginShown = @"x\u001b[2K\rlogin success admin";
    private const string Bidi = "a\u202ebc\u2066d\u2069\u009b31m\u007f\u0007";
    private const string BidiShown = @"a\u202ebc\u2066d\u2069\u009b31m\u007f\u0007";

    [Fact]
    public async Task Audit_shows_a_user_name_with_escape_codes_escaped_on_one_line()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var audit = new AuditLog(await cli.StoreAsync());
        await audit.RecordAsync(AuditTypes.LoginFailure, AuditOutcome.Failure, FakeLogin, "10.0.0.1:40000", null,
            new Dictionary<string, string> { ["reason"] = "bad\nfumidai: forged line", ["note"] = Bidi });

        var table = await cli.OkAsync("audit");
        AssertNoControlCharacters(table.Out);
        Assert.Contains(FakeLoginShown, table.Out);
        Assert.Contains(@"reason=bad\nfumidai: forged line", table.Out);
        Assert.Contains(BidiShown, table.Out);
        var json = JsonDocument.Parse((await cli.OkAsync("audit", "--json")).Out).RootElement.EnumerateArray().ToList();
        Assert.Equal(json.Count + 1, table.Out.TrimEnd('\n').Split('\n').Length);
    }

    [Fact]
    public async Task Audit_json_escapes_every_control_and_bidi_character_and_keeps_the_exact_value()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var audit = new AuditLog(await cli.StoreAsync());
        await audit.RecordAsync(AuditTypes.LoginFailure, AuditOutcome.Failure, FakeLogin, null, null, new Dictionary<string, string> { ["note"] = Bidi });

        var result = await cli.OkAsync("audit", "--json");
        AssertNoControlCharacters(result.Out);
        var failure = JsonDocument.Parse(result.Out).RootElement.EnumerateArray().Single(e => e.GetProperty("type").GetString() == AuditTypes.LoginFailure);
        Assert.Equal(FakeLogin, failure.GetProperty("user").GetString());
        Assert.Equal(Bidi, failure.GetProperty("details").GetProperty("note").GetString());
    }

    [Fact]
    public async Task Sessions_list_show_commands_and_search_escape_an_exec_command()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var store = await cli.StoreAsync();
        const string command = "printf '\u001b[2J'; echo hidden\nfumidai: forged\u202e";
        const string shown = @"printf '\u001b[2J'; echo hidden\nfumidai: forged\u202e";
        var session = new SessionRecord("s-esc", "alice", "web01", "root", "exec", command, "127.0.0.1:50000", DateTimeOffset.UtcNow, null,
            SessionStatus.Running, null, 0, 0, null);
        await store.AddSessionAsync(session);
        await SessionIndexer.IndexAsync(store, session, (Stream?)null);

        var show = await cli.OkAsync("sessions", "show", "s-esc");
        AssertNoControlCharacters(show.Out);
        Assert.Contains(shown, show.Out);
        Assert.Equal(10, show.Out.TrimEnd('\n').Split('\n').Length);
        foreach (var args in new[] { new[] { "sessions", "commands", "s-esc" }, ["sessions", "search", "hidden"] })
        {
            var result = await cli.OkAsync(args);
            AssertNoControlCharacters(result.Out);
            Assert.Contains(shown, result.Out);
            Assert.Equal(2, result.Out.TrimEnd('\n').Split('\n').Length);
        }
        var json = await cli.OkAsync("sessions", "commands", "s-esc", "--json");
        AssertNoControlCharacters(json.Out);
        Assert.Equal(command, JsonDocument.Parse(json.Out).RootElement[0].GetProperty("command").GetString());
    }

    [Fact]
    public async Task Transcript_keeps_its_lines_and_shows_no_bidi_override()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        File.WriteAllText(Path.Combine(cli.Data.RecordingsPath, "bidi.cast"),
            "{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.1, \"o\", \"$ echo ok\\r\\nsafe\\u202eexe.txt\\r\\nlast\\r\\n\"]\n");
        await (await cli.StoreAsync()).AddSessionAsync(new SessionRecord("s-tr", "alice", "web01", "root", "shell", null, "127.0.0.1:50000",
            DateTimeOffset.UtcNow, null, SessionStatus.Running, null, 0, 0, "bidi.cast"));

        var result = await cli.OkAsync("sessions", "transcript", "s-tr", "--unverified");
        AssertNoControlCharacters(result.Out);
        var lines = result.Out.Split('\n');
        // The screen model drops the override itself; escaped or dropped, it never reaches the auditor's terminal.
        Assert.Contains(lines, l => l.StartsWith("safe", StringComparison.Ordinal) && l.EndsWith("exe.txt", StringComparison.Ordinal));
        Assert.Contains("$ echo ok", lines);
        Assert.Contains("last", lines);
    }

    [Fact]
    public async Task Errors_that_echo_input_escape_it()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        foreach (var args in new[] { new[] { "sessions", "show", FakeLogin }, ["user", "show", FakeLogin], ["audit", "--since", FakeLogin] })
        {
            var result = await cli.RunAsync(args);
            Assert.NotEqual(0, result.ExitCode);
            AssertNoControlCharacters(result.Error);
            Assert.Contains(FakeLoginShown, result.Error);
        }
    }

    [Fact]
    public async Task Play_writes_the_terminal_stream_unchanged()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        File.WriteAllText(Path.Combine(cli.Data.RecordingsPath, "colour.cast"),
            "{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.01, \"o\", \"\\u001b[31mred\\u001b[0m\\r\\n\"]\n");
        await (await cli.StoreAsync()).AddSessionAsync(new SessionRecord("s-play", "alice", "web01", "root", "shell", null, "127.0.0.1:50000",
            DateTimeOffset.UtcNow, null, SessionStatus.Running, null, 0, 0, "colour.cast"));

        // A single-file recording from before signing cannot be verified: read with --unverified, after a warning line.
        var result = await cli.OkAsync("sessions", "play", "s-play", "--unverified");
        int firstLine = result.Out.IndexOf('\n', StringComparison.Ordinal);
        Assert.StartsWith("WARNING:", result.Out, StringComparison.Ordinal);
        Assert.Equal("\u001b[31mred\u001b[0m\r\n", result.Out[(firstLine + 1)..]);
    }

    /// <summary>Only the newlines that end lines may reach the terminal: no C0/C1 control, DEL, format (bidi) or separator character.</summary>
    internal static void AssertNoControlCharacters(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n') continue;
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            Assert.False(category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                    or UnicodeCategory.ParagraphSeparator,
                $"raw U+{(int)c:X4} at {i} in:\n{text}");
        }
    }
}
