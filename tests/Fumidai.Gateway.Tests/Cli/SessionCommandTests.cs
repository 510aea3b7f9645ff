using System.Diagnostics;
using System.Text.Json;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Asciicast;

namespace Fumidai.Gateway.Tests.Cli;

public sealed class SessionCommandTests
{
    [Fact]
    public async Task Sessions_list_json_is_an_empty_array_on_a_new_store()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var list = JsonDocument.Parse((await cli.OkAsync("sessions", "list", "--json")).Out).RootElement;
        Assert.Equal(JsonValueKind.Array, list.ValueKind);
        Assert.Equal(0, list.GetArrayLength());
    }

    [Fact]
    public async Task Sessions_list_filters_and_shows_the_fields_scripts_need()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var store = await cli.StoreAsync();
        var now = DateTimeOffset.UtcNow;
        await store.AddSessionAsync(Session("s-old", "alice", "web01", now - TimeSpan.FromHours(3), null));
        await store.AddSessionAsync(Session("s-new", "alice", "db01", now - TimeSpan.FromMinutes(5), null));
        await store.AddSessionAsync(Session("s-bob", "bob", "web01", now - TimeSpan.FromMinutes(1), null));
        await store.EndSessionAsync("s-old", now - TimeSpan.FromHours(2), SessionEndReason.Exit, 10, 2000);

        var all = Array(await cli.OkAsync("sessions", "list", "--json"));
        Assert.Equal(["s-old", "s-new", "s-bob"], all.Select(s => s.GetProperty("id").GetString()));
        var old = all[0];
        foreach (var field in new[] { "id", "user", "target", "login", "start", "end", "status" })
            Assert.True(old.TryGetProperty(field, out _), field);
        Assert.Equal("closed", old.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, all[1].GetProperty("end").ValueKind);
        Assert.Equal("running", all[1].GetProperty("status").GetString());

        Assert.Equal(["s-old", "s-new"], Array(await cli.OkAsync("sessions", "list", "--user", "alice", "--json")).Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(["s-old", "s-bob"], Array(await cli.OkAsync("sessions", "list", "--target", "web01", "--json")).Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(["s-new", "s-bob"], Array(await cli.OkAsync("sessions", "list", "--since", "1h", "--json")).Select(s => s.GetProperty("id").GetString()));
        Assert.Contains("s-bob", (await cli.OkAsync("sessions", "list")).Out);

        var shown = await cli.OkAsync("sessions", "show", "s-old");
        Assert.Contains("exit", shown.Out);
        Assert.Equal(ExitCodes.NotFound, (await cli.RunAsync("sessions", "show", "nope")).ExitCode);
    }

    [Fact]
    public async Task Sessions_kill_stores_a_request_for_the_bastions_and_refuses_unknown_ended_sessions_and_control_characters()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var store = await cli.StoreAsync();
        var now = DateTimeOffset.UtcNow;
        await store.AddSessionAsync(Session("s-live", "alice", "web01", now, null));
        await store.AddSessionAsync(Session("s-done", "alice", "web01", now, null));
        await store.EndSessionAsync("s-done", now, SessionEndReason.Exit, 0, 0);
        long before = await store.LatestRevocationAsync();

        Assert.Equal(ExitCodes.Usage, (await cli.RunAsync("sessions", "kill", "s-live", "--reason", "bad\u001b[2Jreason")).ExitCode);
        var requested = await cli.OkAsync("sessions", "kill", "s-live", "--reason", "incident 7", "--no-wait");

        Assert.Contains("kill requested", requested.Out);
        var request = Assert.Single(await store.ListRevocationsAfterAsync(before));
        Assert.Equal(("session", "s-live", "alice", "incident 7"), (request.Scope, request.SessionId, request.User, request.Reason));
        Assert.Equal(ExitCodes.Conflict, (await cli.RunAsync("sessions", "kill", "s-done")).ExitCode);
        Assert.Equal(ExitCodes.NotFound, (await cli.RunAsync("sessions", "kill", "nope")).ExitCode);
        Assert.Single(await store.ListRevocationsAfterAsync(before));
        Assert.Contains("--reason", (await cli.OkAsync("sessions", "kill", "--help")).Out);
    }

    [Fact]
    public async Task Export_writes_a_cast_that_asciinema_reads_and_play_replays_it_both_audited()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var store = await cli.StoreAsync();
        string relative = Path.Combine("2025", "s-rec.cast");
        Directory.CreateDirectory(Path.Combine(cli.Data.RecordingsPath, "2025"));
        using (var file = File.Create(Path.Combine(cli.Data.RecordingsPath, relative)))
        using (var writer = new AsciicastWriter(file))
        {
            writer.WriteHeader(new AsciicastHeader(80, 24) { Timestamp = 1_700_000_000, Title = "alice@web01" });
            writer.WriteEvent(AsciicastEvent.Output(TimeSpan.FromSeconds(0.1), "$ "));
            writer.WriteEvent(AsciicastEvent.Input(TimeSpan.FromSeconds(0.5), "echo MARKER-42\r"));
            writer.WriteEvent(AsciicastEvent.Output(TimeSpan.FromSeconds(0.6), "echo MARKER-42\r\nMARKER-42\r\n"));
            writer.WriteEvent(AsciicastEvent.Output(TimeSpan.FromSeconds(30), "$ exit\r\n"));
        }
        await store.AddSessionAsync(Session("s-rec", "alice", "web01", DateTimeOffset.UtcNow, relative));

        string exported = cli.File("out.cast");
        // A single-file recording predates signing: it cannot be verified, so it is read only when asked, behind a warning.
        var refused = await cli.RunAsync("sessions", "export", "s-rec", "-o", exported);
        Assert.Equal(ExitCodes.Failure, refused.ExitCode);
        Assert.Contains("from before signed recordings", refused.Error);
        Assert.False(File.Exists(exported));
        var export = await cli.OkAsync("sessions", "export", "s-rec", "-o", exported, "--unverified");
        Assert.StartsWith("WARNING: recording s-rec does not verify", export.Out);
        Assert.Equal(File.ReadAllBytes(Path.Combine(cli.Data.RecordingsPath, relative)), File.ReadAllBytes(exported));
        Assert.Contains("MARKER-42", Asciinema("cat", exported));
        Assert.Contains("MARKER-42", Asciinema("play -i 0.1 -s 10", exported));

        var clock = Stopwatch.StartNew();
        var played = await cli.OkAsync("sessions", "play", "s-rec", "--speed", "10", "--idle-limit", "1", "--unverified");
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        string[] lines = played.Out.Split('\n', 2);
        Assert.StartsWith("WARNING: recording s-rec does not verify (single-file recording from before signed recordings", lines[0]);
        Assert.Equal("$ echo MARKER-42\r\nMARKER-42\r\n$ exit\r\n", lines[1]);

        var accesses = Array(await cli.OkAsync("audit", "--json")).Where(e => e.GetProperty("type").GetString() == AuditTypes.RecordingAccess).ToList();
        Assert.Equal(["sessions.export", "sessions.play"], accesses.Select(e => e.GetProperty("details").GetProperty("action").GetString()));
        Assert.All(accesses, e => Assert.Equal("s-rec", e.GetProperty("details").GetProperty("session").GetString()));
    }

    [Fact]
    public async Task Export_of_a_recording_cut_mid_line_leaves_out_the_broken_line()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        File.WriteAllText(Path.Combine(cli.Data.RecordingsPath, "cut.cast"),
            "{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.1, \"o\", \"hello\\r\\n\"]\n[0.2, \"o\", \"unfini");
        await (await cli.StoreAsync()).AddSessionAsync(Session("s-cut", "alice", "web01", DateTimeOffset.UtcNow, "cut.cast"));
        string exported = cli.File("cut-out.cast");
        var result = await cli.OkAsync("sessions", "export", "s-cut", "-o", exported, "--unverified");
        Assert.Contains("1 damaged line", result.Error);
        Assert.Contains("hello", Asciinema("cat", exported));
    }

    [Fact]
    public async Task Play_and_export_of_a_session_without_recording_are_not_found()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        await (await cli.StoreAsync()).AddSessionAsync(Session("s-none", "alice", "web01", DateTimeOffset.UtcNow, null));
        await (await cli.StoreAsync()).AddSessionAsync(Session("s-gone", "alice", "web01", DateTimeOffset.UtcNow, "gone.cast"));
        await (await cli.StoreAsync()).AddSessionAsync(Session("s-evil", "alice", "web01", DateTimeOffset.UtcNow, "../master.key"));
        Assert.Equal(ExitCodes.NotFound, (await cli.RunAsync("sessions", "play", "s-none")).ExitCode);
        Assert.Equal(ExitCodes.NotFound, (await cli.RunAsync("sessions", "export", "s-gone", "-o", cli.File("x.cast"))).ExitCode);
        Assert.Equal(ExitCodes.Failure, (await cli.RunAsync("sessions", "export", "s-evil", "-o", cli.File("y.cast"))).ExitCode);
        Assert.False(File.Exists(cli.File("y.cast")));
    }

    private static SessionRecord Session(string id, string user, string target, DateTimeOffset start, string? recording) =>
        new(id, user, target, "deploy", "shell", null, "127.0.0.1:50000", start, null, SessionStatus.Running, null, 0, 0, recording);

    private static List<JsonElement> Array(CliResult result) => JsonDocument.Parse(result.Out).RootElement.EnumerateArray().ToList();

    /// <summary>Runs Debian's asciinema under <c>script</c>, which gives it the terminal it insists on opening.</summary>
    private static string Asciinema(string arguments, string file)
    {
        var info = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in new[] { "-qec", $"asciinema {arguments} '{file}'", "/dev/null" }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), "asciinema did not finish");
        Assert.True(process.ExitCode == 0, $"asciinema {arguments} failed: {output} {error.Result}");
        return output;
    }
}
