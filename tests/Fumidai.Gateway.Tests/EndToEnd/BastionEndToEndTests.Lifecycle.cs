using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>The bastion process stopped under a running session: SIGTERM drains, SIGKILL is recovered at the next start.</summary>
public sealed partial class BastionEndToEndTests
{
    [Fact]
    public async Task Sigterm_mid_session_notifies_the_operators_and_leaves_a_playable_recording_closed_by_shutdown()
    {
        var op = await _h.AddOperatorAsync("drain");
        long s0 = Totp.CurrentStep();
        await using var ssh = _h.SshInteractive(op, "drain:web01", await Totp.CodeAsync(op.Secret, s0));
        int prompt = await ssh.WaitForAsync(Prompt, Short);
        await ssh.TypeAsync("echo DRAIN_$((6*7))\r");
        await ssh.WaitForAsync("DRAIN_42", Short, prompt);
        await _h.WaitForSessionAsync("drain", s => s.GetProperty("status").GetString() == "running", "running");
        // A second operator is still choosing at the login menu.
        var chooser = await _h.AddOperatorAsync("drainmenu");
        await using var menu = _h.SshInteractive(chooser, "drainmenu", await Totp.CodeAsync(chooser.Secret, s0));
        await menu.WaitForAsync("Target (name", Short);

        var bastion = _h.Bastion;
        Assert.True(await bastion.TerminateAsync(TimeSpan.FromSeconds(45)), "fumidai serve did not exit after SIGTERM:\n" + bastion.Log);

        Assert.Equal(0, bastion.ExitCode);
        await ssh.WaitForAsync("[fumidai] session closed: the bastion is shutting down", Short);
        // A session cut by shutdown must not look successful to a script: 143, as for a command ended by SIGTERM.
        Assert.Equal(143, await ssh.WaitForExitAsync(Short));
        await menu.WaitForAsync("[fumidai] session closed: the bastion is shutting down", Short);
        Assert.Equal(143, await menu.WaitForExitAsync(Short));
        var session = await _h.WaitForSessionAsync("drain", s => s.GetProperty("status").GetString() != "running", "ended", TimeSpan.FromSeconds(5));
        Assert.Equal("closed", session.GetProperty("status").GetString());
        Assert.Equal("shutdown", session.GetProperty("endReason").GetString());
        Assert.Equal(JsonValueKind.String, session.GetProperty("end").ValueKind);
        string shown = await _h.ExportAndCatAsync(session.GetProperty("id").GetString()!);
        Assert.Contains("DRAIN_42", shown);
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "drain", "session.end of drain");
        Assert.Equal("shutdown", end.Detail("reason"));

        await _h.EnsureBastionRunningAsync();
    }

    [Fact]
    public async Task Sigkill_mid_session_then_restart_marks_the_session_interrupted_with_a_playable_recording()
    {
        var op = await _h.AddOperatorAsync("crash");
        long s0 = Totp.CurrentStep();
        await using var ssh = _h.SshInteractive(op, "crash:web01", await Totp.CodeAsync(op.Secret, s0));
        int prompt = await ssh.WaitForAsync(Prompt, Short);
        await ssh.TypeAsync("echo CRASH_$((5*5))\r");
        await ssh.WaitForAsync("CRASH_25", Short, prompt);
        var running = await _h.WaitForSessionAsync("crash", s => s.GetProperty("status").GetString() == "running", "running");
        string id = running.GetProperty("id").GetString()!;
        // The recorder flushes at least every second: wait (bounded) until the marker is on disk, as a crash would find it.
        var clock = Stopwatch.StartNew();
        while (!RecordingOnDiskContains(id, running.GetProperty("recording").GetString()!, "CRASH_25"))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the marker never reached the spool or the store of {id}");
            await Task.Delay(100);
        }

        await _h.Bastion.KillAsync();

        Assert.Equal(255, await ssh.WaitForExitAsync(Short));
        var stale = Assert.Single(await _h.SessionsAsync("crash"));
        Assert.Equal("running", stale.GetProperty("status").GetString());

        await _h.EnsureBastionRunningAsync();

        var session = await _h.WaitForSessionAsync("crash", s => s.GetProperty("id").GetString() == id && s.GetProperty("status").GetString() != "running",
            "recovered");
        Assert.Equal("interrupted", session.GetProperty("status").GetString());
        Assert.Contains("CRASH_25", await _h.ExportAndCatAsync(id));
        var end = await _h.WaitForAuditAsync(e => e.Type == "session.end" && e.User == "crash", "session.end of crash");
        Assert.Equal("interrupted", end.Detail("reason"));
    }

    /// <summary>Whether the recording's bytes on disk (open parts and sealed chunks in the spool, chunks in the file store) hold the text.</summary>
    private bool RecordingOnDiskContains(string sessionId, string recordingPrefix, string text)
    {
        var folders = new[] { Path.Combine(_h.DataPath, "spool", sessionId), Path.Combine(_h.DataPath, "recordings", recordingPrefix) };
        foreach (var file in folders.Where(Directory.Exists).SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories)))
        {
            try
            {
                using var stream = File.OpenRead(file);
                using Stream content = file.EndsWith(".br", StringComparison.Ordinal) ? new BrotliStream(stream, CompressionMode.Decompress)
                    : file.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress)
                    : stream;
                using var reader = new StreamReader(content, Encoding.UTF8);
                if (reader.ReadToEnd().Contains(text, StringComparison.Ordinal)) return true;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                // A file being written or moved right now: the next poll sees it whole.
            }
        }
        return false;
    }
}
