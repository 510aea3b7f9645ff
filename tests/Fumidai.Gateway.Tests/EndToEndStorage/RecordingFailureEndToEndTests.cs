using System.Diagnostics;

namespace Fumidai.Gateway.Tests.EndToEndStorage;

/// <summary>A recording that fails before the relay starts (while the target is dialled) stops the session before the target runs anything.</summary>
public sealed class RecordingFailureEndToEndTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task In_strict_mode_a_recording_that_fails_during_the_target_dial_stops_the_session_before_the_command_runs()
    {
        await using var b = await StorageBastion.CreateAsync(null, mode: "strict");
        // A target slow to answer: the bastion's dial waits until the proxy is thawed.
        using var slow = new FreezableProxy(b.Target.Port);
        slow.Freeze();
        await b.MustAsync("target", "add", "webslow", "--host", PrivateSshd.Host, "--port", slow.Port.ToString(), "--login", "root",
            "--host-key", b.Target.HostKeys[0].ToString());
        // The dial (login within twice this) must outlast the held-back target, even on a busy machine.
        await b.StartServeAsync(new Dictionary<string, string> { ["FUMIDAI__Targets__ConnectTimeout"] = "40s" });
        var op = await b.AddOperatorAsync("dialfail");
        string ran = b.Directory.Combine("ran-unrecorded");

        await using var ssh = b.Ssh(op, $"touch '{ran}'; echo RAN_$((6*7))", target: "webslow");
        var running = await b.WaitForSessionAsync("dialfail", s => s.GetProperty("status").GetString() == "running", "running");
        string spool = Path.Combine(b.DataPath, "spool", running.GetProperty("id").GetString()!);
        var clock = Stopwatch.StartNew();
        while (!Directory.Exists(spool))
        {
            Assert.True(clock.Elapsed < Short, $"no spool folder {spool}:\n{b.Serve!.Log}");
            await Task.Delay(50);
        }
        // The session's spool folder goes away (a cleaner, a failing disk): its first chunk can no longer be sealed.
        Directory.Delete(spool, recursive: true);
        // A chunk is sealed once its part is 5 s old (checked every second), well before the dial goes on.
        await Task.Delay(TimeSpan.FromSeconds(10));
        slow.Thaw();

        int exit;
        try
        {
            exit = await ssh.WaitForExitAsync(Short);
        }
        catch (TimeoutException)
        {
            // Once seen on a fresh clone and not since: say where the session stood, in the row, the spool and the audit log.
            var sessions = await b.CliAsync("sessions", "list", "--user", "dialfail", "--json");
            var audit = await b.CliAsync("audit");
            string spoolRoot = Path.Combine(b.DataPath, "spool");
            string files = string.Join('\n', Directory.Exists(spoolRoot) ? Directory.EnumerateFileSystemEntries(spoolRoot, "*", SearchOption.AllDirectories) : []);
            throw new Xunit.Sdk.XunitException($"ssh did not exit:\n{ssh.Output}\n--- sessions ---\n{sessions.Out}\n--- audit ---\n{audit.Out}{audit.Error}"
                + $"\n--- spool ---\n{files}\n--- serve ---\n{b.Serve!.Log}");
        }
        Assert.True(exit == 1, $"exit {exit}:\n{ssh.Output}");
        Assert.Contains("the recording could not be written", ssh.Output);
        Assert.DoesNotContain("RAN_42", ssh.Output);
        Assert.False(File.Exists(ran), "the command ran on the target although its recording had already failed");
        var ended = await b.WaitForSessionAsync("dialfail", s => s.GetProperty("status").GetString() != "running", "ended");
        Assert.Equal("failed", ended.GetProperty("status").GetString());
        Assert.Equal("recording-failure", ended.GetProperty("endReason").GetString());
    }
}
