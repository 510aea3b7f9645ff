using System.Diagnostics;
using System.Text.Json;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;
using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.EndToEndStorage;

/// <summary>Recording through the bastion to a real sshd, the same tests on each store: streamed chunks, crash recovery, tamper evidence.</summary>
public abstract class StoreEndToEndTests
{
    protected static readonly TimeSpan ShortWait = TimeSpan.FromSeconds(30);

    /// <summary>A bastion recording to the store under test.</summary>
    protected abstract Task<StorageBastion> CreateAsync();

    [Fact]
    public async Task Chunks_are_stored_while_the_session_runs_then_the_signed_recording_verifies_and_exports()
    {
        await using var b = await CreateAsync();
        await b.StartServeAsync();
        var op = await b.AddOperatorAsync("stream");
        await using var ssh = b.Ssh(op, "for i in $(seq 1 14); do echo STREAM_$i; sleep 1; done");
        await ssh.WaitForAsync("STREAM_2", ShortWait);
        var running = await b.WaitForSessionAsync("stream", s => s.GetProperty("status").GetString() == "running", "running");
        string prefix = running.GetProperty("recording").GetString()!;
        Assert.StartsWith("recordings/", prefix);

        // A busy chunk is sealed at Recording:MaxChunkAgeSeconds (5 s here): one must be in the store before the 14 s session ends.
        var clock = Stopwatch.StartNew();
        while ((await b.KeysAsync(prefix)).Count == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), "no chunk stored while the session ran:\n" + b.Serve!.Log);
            await Task.Delay(250);
        }
        Assert.DoesNotContain("STREAM_14", ssh.Output);
        Assert.Equal("running", (await b.SessionsAsync("stream"))[0].GetProperty("status").GetString());

        Assert.Equal(0, await ssh.WaitForExitAsync(ShortWait));
        await b.WaitForObjectAsync(ObjectLayout.ManifestKey(prefix), ShortWait);
        string id = running.GetProperty("id").GetString()!;
        var verify = await b.CliAsync("verify", id, "--json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var view = JsonDocument.Parse(verify.Out).RootElement[0];
        Assert.Equal("ok", view.GetProperty("result").GetString());
        Assert.Equal("exit", view.GetProperty("endReason").GetString());
        Assert.Contains("STREAM_14", await b.ExportAndCatAsync(id));
        Assert.Contains("STREAM_14", (await b.MustAsync("sessions", "transcript", id)).Out);
    }

    [Fact]
    public async Task Kill_9_mid_session_then_restart_finalises_the_recording_as_interrupted_and_it_verifies()
    {
        await using var b = await CreateAsync();
        var serve = await b.StartServeAsync();
        var op = await b.AddOperatorAsync("crash");
        await using var ssh = b.Ssh(op, "echo CRASH_$((6*7)); sleep 120");
        await ssh.WaitForAsync("CRASH_42", ShortWait);
        var running = await b.WaitForSessionAsync("crash", s => s.GetProperty("status").GetString() == "running", "running");
        string id = running.GetProperty("id").GetString()!;
        // The spool is fsynced every second: wait past it, so the crash finds the marker on disk as promised.
        await Task.Delay(TimeSpan.FromSeconds(2));
        // A chunk is sealed every 5 s at most.
        string prefix = running.GetProperty("recording").GetString()!;
        var clock = Stopwatch.StartNew();
        while ((await b.KeysAsync(prefix)).Count == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), "no chunk stored while the session ran:\n" + b.Serve!.Log);
            await Task.Delay(250);
        }

        // While serve writes it, the recording without a manifest is running, not broken.
        var live = await b.CliAsync("verify", "--all");
        Assert.True(live.ExitCode == 0, live.ToString());
        string liveLine = Assert.Single(live.Out.Split('\n'), l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.Matches(@"running, [1-9][0-9]* chunk\(s\) so far, readable up to chunk [0-9]+; signed when it ends", liveLine);
        Assert.DoesNotContain("manifest missing", live.Out);
        Assert.Matches(@"\n1 recording: 1 running; [1-9][0-9]* audit periods?: ", live.Out);

        await serve.KillAsync();
        await ssh.WaitForExitAsync(ShortWait);
        // Nothing writes it now: until the next start finalises it, the missing manifest is an error.
        var orphaned = await b.CliAsync("verify", "--all");
        Assert.Equal(1, orphaned.ExitCode);
        Assert.Contains("manifest missing and nothing is writing it", orphaned.Out);
        Assert.Contains("1 recording: 1 failed", orphaned.Out);

        await b.StartServeAsync();

        var session = await b.WaitForSessionAsync("crash", s => s.GetProperty("status").GetString() != "running", "recovered");
        Assert.Equal("interrupted", session.GetProperty("status").GetString());
        Assert.Contains("interrupted", (await b.MustAsync("sessions", "list")).Out);
        await b.WaitForObjectAsync(ObjectLayout.ManifestKey(prefix), ShortWait);
        var recovered = await b.CliAsync("verify", "--all");
        Assert.True(recovered.ExitCode == 0, recovered.ToString());
        Assert.Contains("1 recording: 1 ok", recovered.Out);
        var verify = await b.CliAsync("verify", id, "--json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal("interrupted", JsonDocument.Parse(verify.Out).RootElement[0].GetProperty("endReason").GetString());
        Assert.Contains("CRASH_42", await b.ExportAndCatAsync(id));
    }

    [Fact]
    public async Task Verify_names_a_changed_byte_a_deleted_chunk_and_a_manifest_signed_by_another_key()
    {
        await using var b = await CreateAsync();
        await b.StartServeAsync();
        var op = await b.AddOperatorAsync("tamper");
        // About 1.3 MB of output: three chunks of at most 512 KiB.
        await using (var ssh = b.Ssh(op, "seq 1 200000; echo TAMPER_END"))
            Assert.Equal(0, await ssh.WaitForExitAsync(ShortWait));
        var session = await b.WaitForSessionAsync("tamper", s => s.GetProperty("status").GetString() == "closed", "closed");
        string id = session.GetProperty("id").GetString()!;
        string prefix = session.GetProperty("recording").GetString()!;
        string manifestKey = ObjectLayout.ManifestKey(prefix);
        await b.WaitForObjectAsync(manifestKey, ShortWait);
        var (ok, _) = await VerifyAsync(b, id);
        Assert.True(ok);
        var manifest = ManifestCodec.Read(await b.Store.GetAsync(manifestKey)).Manifest;
        Assert.True(manifest.Chunks.Count >= 3, $"{manifest.Chunks.Count} chunk(s)");

        string chunk1 = prefix + manifest.Chunks[1].Name;
        byte[] original = (await b.Store.GetAsync(chunk1))!;
        byte[] changed = (byte[])original.Clone();
        changed[changed.Length / 2] ^= 0x01;
        await b.Store.PutAsync(chunk1, changed);
        Assert.Equal((false, "chunk 1: SHA-256 mismatch"), await VerifyAsync(b, id));
        await b.Store.PutAsync(chunk1, original);

        string chunk2 = prefix + manifest.Chunks[2].Name;
        byte[] second = (await b.Store.GetAsync(chunk2))!;
        await b.Store.DeleteAsync(chunk2);
        Assert.Equal((false, "chunk 2 missing"), await VerifyAsync(b, id));
        var all = await b.CliAsync("verify", "--all");
        Assert.Equal(1, all.ExitCode);
        Assert.Contains("chunk 2 missing", all.Error);
        Assert.Contains("[1/1]", all.Error);
        await b.Store.PutAsync(chunk2, second);

        using var intruder = Ed25519ManifestSigner.Create();
        await b.Store.PutAsync(manifestKey, ManifestCodec.Write(manifest, intruder));
        var (signedOk, problem) = await VerifyAsync(b, id);
        Assert.False(signedOk);
        Assert.StartsWith("manifest signature invalid (signed by " + intruder.KeyId, problem);
    }

    [Fact]
    public async Task Audit_log_is_shipped_chained_and_signed_and_verify_all_checks_it()
    {
        await using var b = await CreateAsync();
        var serve = await b.StartServeAsync();
        var op = await b.AddOperatorAsync("auditship");
        await using (var ssh = b.Ssh(op, "echo SHIPPED"))
            Assert.Equal(0, await ssh.WaitForExitAsync(ShortWait));
        await b.WaitForSessionAsync("auditship", s => s.GetProperty("status").GetString() == "closed", "closed");
        Assert.True(await serve.TerminateAsync(ShortWait), "serve did not stop on SIGTERM:\n" + serve.Log);

        var keys = await b.KeysAsync(ObjectLayout.AuditRoot);
        string manifestKey = Assert.Single(keys, k => k.EndsWith("/manifest.json", StringComparison.Ordinal));
        string auditPrefix = manifestKey[..(manifestKey.LastIndexOf('/') + 1)];
        var manifest = ManifestCodec.Read(await b.Store.GetAsync(manifestKey)).Manifest;
        Assert.Equal("shutdown", manifest.EndReason);
        var lines = new List<string>();
        await using (var all = new MemoryStream())
        {
            await RecordingReader.CopyToAsync(b.Store, auditPrefix, all);
            lines.AddRange(System.Text.Encoding.UTF8.GetString(all.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        var events = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "login" && e.GetProperty("user").GetString() == "auditship");
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "service.stop");
        // The shipped events keep the database's hash chain: each links to the one before.
        for (int i = 1; i < events.Count; i++)
            Assert.Equal(events[i - 1].GetProperty("hash").GetString(), events[i].GetProperty("prevHash").GetString());

        var verified = await b.CliAsync("verify", "--all", "--json");
        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.Contains(JsonDocument.Parse(verified.Out).RootElement.EnumerateArray(), v => v.GetProperty("prefix").GetString() == auditPrefix);

        string chunk = auditPrefix + manifest.Chunks[0].Name;
        byte[] original = (await b.Store.GetAsync(chunk))!;
        byte[] changed = (byte[])original.Clone();
        changed[^1] ^= 0x01;
        await b.Store.PutAsync(chunk, changed);
        var tampered = await b.CliAsync("verify", "--all");
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("chunk 0: SHA-256 mismatch", tampered.Error);
    }

    [Fact]
    public async Task A_second_serve_on_the_same_data_directory_is_refused_and_the_first_keeps_recording()
    {
        await using var b = await CreateAsync();
        var first = await b.StartServeAsync();
        await using (var second = BastionProcess.Launch(b.DataPath, StorageBastion.ServeEnvironment))
        {
            Assert.True(await second.WaitForExitAsync(ShortWait), "the second serve did not stop:\n" + second.Log);
            Assert.Equal(4, second.ExitCode);
            Assert.Contains($"another fumidai serve (pid {first.Pid})", second.Log);
        }
        // The refused process must not have touched the first one's spool: its sessions still record and verify.
        var op = await b.AddOperatorAsync("lockheld");
        await using (var ssh = b.Ssh(op, "echo STILL_RECORDING"))
            Assert.Equal(0, await ssh.WaitForExitAsync(ShortWait));
        var session = await b.WaitForSessionAsync("lockheld", s => s.GetProperty("status").GetString() == "closed", "closed");
        await b.WaitForObjectAsync(ObjectLayout.ManifestKey(session.GetProperty("recording").GetString()!), ShortWait);
        var (ok, problem) = await VerifyAsync(b, session.GetProperty("id").GetString()!);
        Assert.True(ok, problem);
        Assert.False(first.HasExited);
    }

    private static async Task<(bool Ok, string? Problem)> VerifyAsync(StorageBastion b, string id)
    {
        var result = await b.CliAsync("verify", id, "--json");
        var view = JsonDocument.Parse(result.Out).RootElement[0];
        bool ok = view.GetProperty("result").GetString() == "ok";
        Assert.Equal(ok ? 0 : 1, result.ExitCode);
        string? problem = view.GetProperty("problem").GetString();
        if (problem is not null) Assert.Contains(problem, result.Error);
        return (ok, problem);
    }
}

/// <summary>The recording tests with <c>Recording:Store = file</c> (the data directory's recordings folder).</summary>
[Collection(StorageEndToEnd.Collection)]
public sealed class FileStoreEndToEndTests : StoreEndToEndTests
{
    protected override Task<StorageBastion> CreateAsync() => StorageBastion.CreateAsync(null);
}
