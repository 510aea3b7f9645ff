using System.Text;
using Fumidai.Recording.Asciicast;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>
/// An exec is scp only when it is a real scp server invocation; everything an exec carries (its stdin too) is recorded.
/// </summary>
public sealed partial class BastionEndToEndTests
{
    [Theory]
    [InlineData("scpsemi", "scp ; echo PWNED_1; echo X")]
    [InlineData("scpsep", "scp -t /tmp; echo PWNED_2")]
    [InlineData("scpor", "scp -f /nonexistent || echo PWNED_3")]
    [InlineData("scpsubst", "scp -f $(echo PWNED_4 >&2)")]
    [InlineData("scptick", "scp -f `echo PWNED_5 >&2`")]
    [InlineData("scpnl", "scp -t /tmp\necho PWNED_6")]
    [InlineData("scppipe", "scp -t '/tmp' | echo PWNED_7")]
    [InlineData("scpbg", "scp -f /etc/hostname & echo PWNED_8")]
    public async Task Scp_text_that_is_not_an_scp_server_invocation_is_an_exec_and_an_scp_only_role_refuses_it(string user, string command)
    {
        var op = await _h.AddOperatorAsync(user, role: "scponly");
        long s0 = Totp.CurrentStep();

        var result = await _h.SshExecAsync(op, user + ":web01", command, await Totp.CodeAsync(op.Secret, s0));

        Assert.True(result.ExitCode is not 0 and not 255, Describe(result));
        Assert.Contains("access denied: exec is not allowed", result.StandardError);
        Assert.DoesNotContain("PWNED", result.Output + result.StandardError);
        var denied = await _h.WaitForAuditAsync(e => e.Type == "request.denied" && e.User == user, $"request.denied of {user}");
        Assert.Equal("exec", denied.Detail("kind"));
        Assert.Empty(await _h.SessionsAsync(user));
    }

    [Fact]
    public async Task Scp_text_with_a_separator_runs_as_an_exec_where_exec_is_allowed_and_is_recorded_as_one()
    {
        var op = await _h.AddOperatorAsync("scplike");
        long s0 = Totp.CurrentStep();

        var result = await _h.SshExecAsync(op, "scplike:web01", "scp ; id; echo X", await Totp.CodeAsync(op.Secret, s0));

        Assert.Contains("uid=0(root)", result.Output);
        var session = await _h.WaitForSessionAsync("scplike", s => s.GetProperty("status").GetString() != "running", "ended");
        Assert.Equal("exec", session.GetProperty("kind").GetString());
        var events = await _h.RecordingEventsAsync(session.GetProperty("id").GetString()!);
        Assert.Contains(events, e => e.Type == AsciicastEventType.Marker && e.Data == "exec: scp ; id; echo X");
        Assert.Contains("uid=0(root)", Text(events, AsciicastEventType.Output));
        var exec = await _h.WaitForAuditAsync(e => e.Type == "session.exec" && e.User == "scplike", "session.exec of scplike");
        Assert.Equal("exec", exec.Detail("kind"));
    }

    [Fact]
    public async Task Stdin_of_an_exec_is_recorded_as_input_with_and_without_a_pty()
    {
        var op = await _h.AddOperatorAsync("heredoc");
        long s0 = Totp.CurrentStep();
        // What `ssh -T heredoc:web01@bastion bash <<EOF ... EOF` feeds the remote shell.
        string script = "echo HEREDOC_$((20+22))\nrm -f /tmp/fumidai-heredoc-never\nexit 0\n";
        var plain = await _h.RunClientAsync("ssh", op, "heredoc:web01", await Totp.CodeAsync(op.Secret, s0), ["-T", "127.0.0.1", "bash"],
            Encoding.UTF8.GetBytes(script));
        var pty = await _h.RunClientAsync("ssh", op, "heredoc:web01", await Totp.CodeAsync(op.Secret, s0 + 1),
            ["-tt", "127.0.0.1", "bash --norc --noprofile"], Encoding.UTF8.GetBytes(script.Replace("HEREDOC", "PTYDOC")));

        Assert.True(plain.ExitCode == 0, Describe(plain));
        Assert.Contains("HEREDOC_42", plain.Output);
        Assert.True(pty.ExitCode == 0, Describe(pty));
        Assert.Contains("PTYDOC_42", pty.Output);
        var sessions = new List<System.Text.Json.JsonElement>();
        for (int i = 0; i < 2; i++)
            sessions.Add(await _h.WaitForSessionAsync("heredoc", s => s.GetProperty("status").GetString() != "running"
                && !sessions.Any(seen => seen.GetProperty("id").GetString() == s.GetProperty("id").GetString()), "ended"));
        var inputs = new List<string>();
        foreach (var session in sessions)
            inputs.Add(Text(await _h.RecordingEventsAsync(session.GetProperty("id").GetString()!), AsciicastEventType.Input));
        Assert.Contains(inputs, i => i.Contains("echo HEREDOC_$((20+22))\nrm -f /tmp/fumidai-heredoc-never\nexit 0\n"));
        Assert.Contains(inputs, i => i.Contains("echo PTYDOC_$((20+22))"));
    }

    [Fact]
    public async Task Lines_fed_on_stdin_to_a_shell_exec_are_listed_by_sessions_commands_and_found_by_search()
    {
        var op = await _h.AddOperatorAsync("stdinlist");
        long s0 = Totp.CurrentStep();
        string script = "echo STDIN_LISTED\nrm -f /tmp/fumidai-stdin-never-there\nexit 0\n";
        var run = await _h.RunClientAsync("ssh", op, "stdinlist:web01", await Totp.CodeAsync(op.Secret, s0), ["-T", "127.0.0.1", "bash"],
            Encoding.UTF8.GetBytes(script));
        Assert.True(run.ExitCode == 0, Describe(run));

        var session = await _h.WaitForSessionAsync("stdinlist", s => s.GetProperty("status").GetString() == "closed", "closed");
        string id = session.GetProperty("id").GetString()!;
        using var listed = System.Text.Json.JsonDocument.Parse((await _h.MustAsync("sessions", "commands", id, "--json")).Output);
        var commands = listed.RootElement.EnumerateArray()
            .Select(c => (c.GetProperty("command").GetString(), c.TryGetProperty("mark", out var m) ? m.GetString() : null)).ToList();
        Assert.Contains(("echo STDIN_LISTED", "fed on stdin"), commands);
        Assert.Contains(("rm -f /tmp/fumidai-stdin-never-there", "fed on stdin"), commands);

        // The index is filled just after the session row is closed: bounded wait for search to see it.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            string found = (await _h.MustAsync("sessions", "search", "fumidai-stdin-never-there", "--user", "stdinlist")).Output;
            if (found.Contains(id, StringComparison.Ordinal))
            {
                Assert.Contains("fed on stdin", found);
                break;
            }
            Assert.True(clock.Elapsed < Short, "the stdin line was not found by search:\n" + found);
            await Task.Delay(200);
        }
    }

    private static string Text(IEnumerable<AsciicastEvent> events, AsciicastEventType type) =>
        string.Concat(events.Where(e => e.Type == type).Select(e => e.Data));
}
