using System.Diagnostics;
using Fumidai.Gateway.Tests.Cli;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>Names and commands from the network are data: neither the CLI's output nor the server log passes their escapes to a terminal.</summary>
public sealed partial class BastionEndToEndTests
{
    [Fact]
    public async Task A_user_name_with_terminal_escapes_reaches_neither_audit_output_nor_the_log_raw()
    {
        // OpenSSH's client refuses such a name ("remote username contains invalid characters"); an attacker's client does not.
        const string marker = "login success admin-e2e";
        const string name = "x\u001b[2K\r" + marker + "\u202e";
        var pinned = new[] { "host_ed25519.pub", "host_rsa.pub" }
            .Select(f => SshPublicKey.ParseOpenSsh(File.ReadAllText(Path.Combine(_h.DataPath, f)).Trim())).ToArray();
        using var key = SshPrivateKey.Generate("ssh-ed25519");
        using var timeout = new CancellationTokenSource(Short);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var client = await SshClient.ConnectAsync(new SshClientOptions
            {
                Host = "127.0.0.1",
                Port = _h.Bastion.Port,
                Credentials = new ClientCredentials(name) { Keys = [key] },
                HostKeyVerifier = (k, _) => pinned.Any(p => p.BlobEquals(k)) ? ValueTask.CompletedTask : throw new InvalidOperationException("not the bastion"),
                LoginTimeout = Short,
            }, timeout.Token);
        });

        // Whether the bastion writes the name down or refuses it unlogged, whatever it shows must be escaped.
        var clock = Stopwatch.StartNew();
        string audit = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            audit = (await _h.MustAsync("audit")).Output;
            if (audit.Contains(marker, StringComparison.Ordinal) && _h.Bastion.Log.Contains(marker, StringComparison.Ordinal)) break;
            await Task.Delay(200);
        }
        _output.WriteLine(audit);
        ControlCharacterOutputTests.AssertNoControlCharacters(audit);
        AssertNoEscapes(_h.Bastion.Log);
    }

    [Fact]
    public async Task An_exec_command_with_escapes_is_shown_escaped_by_sessions_show_commands_and_search_and_in_the_log()
    {
        var op = await _h.AddOperatorAsync("escexec");
        const string command = "echo esc-ok # \u001b[2K\rfumidai: forged-line \u202e";
        const string shown = @"echo esc-ok # \u001b[2K\rfumidai: forged-line \u202e";

        var result = await _h.SshExecAsync(op, "escexec:web01", command, await Totp.CodeAsync(op.Secret, Totp.CurrentStep()));
        Assert.True(result.ExitCode == 0, Describe(result));
        Assert.Contains("esc-ok", result.Output);
        var session = await _h.WaitForSessionAsync("escexec", s => s.GetProperty("status").GetString() != "running", "ended");
        string id = session.GetProperty("id").GetString()!;

        // The command index is written just after the session's row ends: wait for it (bounded) before reading it.
        var indexed = Stopwatch.StartNew();
        while (!(await _h.MustAsync("sessions", "commands", id)).Output.Contains("esc-ok", StringComparison.Ordinal) && indexed.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(200);
        foreach (var args in new[] { new[] { "sessions", "show", id }, ["sessions", "commands", id], ["sessions", "search", "forged-line"],
            ["sessions", "list", "--user", "escexec"], ["audit"] })
        {
            var output = (await _h.MustAsync(args)).Output;
            ControlCharacterOutputTests.AssertNoControlCharacters(output);
            if (args is not [_, "list", ..]) Assert.Contains(shown, output);
        }
        AssertNoEscapes(_h.Bastion.Log);
    }

    /// <summary>The log is read line by line (a raw CR splits a line there), so look for what survives that: ESC and bidi controls.</summary>
    private static void AssertNoEscapes(string log)
    {
        foreach (char c in new[] { '\u001b', '\u202e', '\u009b' })
            Assert.False(log.Contains(c), $"raw U+{(int)c:X4} in the bastion's log:\n{log}");
    }
}
