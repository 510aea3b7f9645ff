using System.Diagnostics;
using System.Text.Json;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>Commands hidden from the screen (alternate screen, no echo, no prompt) still reach the command list and search.</summary>
public sealed partial class BastionEndToEndTests
{
    [Fact]
    public async Task Commands_hidden_from_the_screen_are_listed_and_found_by_search_with_their_mark()
    {
        var op = await _h.AddOperatorAsync("hider");
        long s0 = Totp.CurrentStep();
        await using var ssh = _h.SshInteractive(op, "hider:web01", await Totp.CodeAsync(op.Secret, s0));
        int at = await ssh.WaitForAsync(Prompt, Short);

        // Key by key with a pause, as a person types: each key is its own input event, echoed (or not) before the next.
        async Task Type(string line)
        {
            foreach (char c in line)
            {
                await ssh.TypeAsync(c.ToString());
                await Task.Delay(15);
            }
            await Task.Delay(100);
            await ssh.TypeAsync("\r");
        }

        // Each line waits for the shell's next prompt, so that no key is typed ahead (the tty would echo it).
        async Task Run(string line, string? shows = null)
        {
            await Type(line);
            if (shows is not null) at = await ssh.WaitForAsync(shows, Short, at + Prompt.Length);
            at = await ssh.WaitForAsync(Prompt, Short, at + Prompt.Length);
        }

        await Run(@"printf '\e[?1049h'", "\e[?1049h");
        await Run("echo hidden-alt", "hidden-alt");
        await Run(@"printf '\e[?1049l'", "\e[?1049l");
        await Run("stty -echo");
        await Run("echo hidden-noecho", "hidden-noecho");
        await Run("stty echo");
        await Type("PS1=''");
        at = await ssh.WaitForAsync("PS1=''", Short, at);
        await Task.Delay(500);
        await Type("echo hidden-noprompt");
        at = await ssh.WaitForAsync("hidden-noprompt\r\n", Short, await ssh.WaitForAsync("echo hidden-noprompt", Short, at) + 6);
        await Task.Delay(500);
        await Type("exit");
        Assert.Equal(0, await ssh.WaitForExitAsync(Short));

        var session = await _h.WaitForSessionAsync("hider", s => s.GetProperty("status").GetString() == "closed", "closed");
        string id = session.GetProperty("id").GetString()!;
        using var listed = JsonDocument.Parse((await _h.MustAsync("sessions", "commands", id, "--json")).Output);
        var commands = listed.RootElement.EnumerateArray()
            .Select(c => (c.GetProperty("command").GetString(), c.TryGetProperty("mark", out var m) ? m.GetString() : null)).ToList();
        _output.WriteLine(string.Join('\n', commands));
        Assert.Contains(("echo hidden-alt", "typed on the alternate screen"), commands);
        Assert.Contains(("echo hidden-noecho", "typed without echo"), commands);
        Assert.Contains(("echo hidden-noprompt", "no prompt seen"), commands);
        Assert.Single(commands, c => c.Item1 == "stty -echo");
        string table = (await _h.MustAsync("sessions", "commands", id)).Output;
        Assert.Contains("typed without echo", table);
        string transcript = (await _h.MustAsync("sessions", "transcript", id)).Output;
        Assert.Contains("[typed without echo] echo hidden-noecho", transcript);

        // The index is filled once the session has ended, a moment after it is marked closed.
        var clock = Stopwatch.StartNew();
        foreach (var (query, mark) in new[] { ("hidden-noecho", "typed without echo"), ("hidden-alt", "typed on the alternate screen"), ("hidden-noprompt", "no prompt seen") })
        {
            JsonElement hit;
            while (true)
            {
                using var found = JsonDocument.Parse((await _h.MustAsync("sessions", "search", query, "--user", "hider", "--json")).Output);
                var hits = found.RootElement.EnumerateArray().Where(h => h.GetProperty("command").GetString() == "echo " + query).ToList();
                if (hits.Count > 0)
                {
                    hit = hits[0].Clone();
                    break;
                }
                Assert.True(clock.Elapsed < Short, $"'{query}' not found by search");
                await Task.Delay(200);
            }
            Assert.Equal(id, hit.GetProperty("session").GetString());
            Assert.Equal(mark, hit.GetProperty("mark").GetString());
        }
        Assert.Contains("typed without echo", (await _h.MustAsync("sessions", "search", "hidden-noecho", "--user", "hider")).Output);
    }
}
