using System.Diagnostics;
using System.Text.Json;
using Fumidai.Recording.Storage;
using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.EndToEndStorage;

/// <summary>The recording tests with <c>Recording:Store = s3</c> against s3rver, plus what only S3 has: start checks and outages.</summary>
[Collection(StorageEndToEnd.Collection)]
public sealed class S3StoreEndToEndTests : StoreEndToEndTests, IClassFixture<S3Fixture>
{
    private readonly S3Fixture _s3;

    public S3StoreEndToEndTests(S3Fixture s3) => _s3 = s3;

    protected override Task<StorageBastion> CreateAsync() => StorageBastion.CreateAsync(_s3.Url);

    [Fact]
    public async Task Serve_refuses_to_start_with_a_missing_bucket_or_an_unreachable_endpoint()
    {
        await using var b = await CreateAsync();
        b.WriteConfiguration(new { Bucket = "no-such-bucket-here", ServiceUrl = _s3.Url, ForcePathStyle = true, Region = "us-east-1" });
        await AssertRefusedAsync(b, "bucket 'no-such-bucket-here' does not exist");

        b.WriteConfiguration(new { Bucket = b.Bucket, ServiceUrl = "http://127.0.0.1:9", ForcePathStyle = true, Region = "us-east-1" });
        await AssertRefusedAsync(b, "unreachable");
    }

    private static async Task AssertRefusedAsync(StorageBastion b, string cause)
    {
        await using var serve = BastionProcess.Launch(b.DataPath, StorageBastion.ServeEnvironment);
        Assert.True(await serve.WaitForExitAsync(StorageBastion.Timeout), "serve did not stop:\n" + serve.Log);
        Assert.NotEqual(0, serve.ExitCode);
        Assert.Contains("is not writable", serve.Log);
        Assert.Contains(cause, serve.Log);
        Assert.DoesNotContain("listening on", serve.Log);
    }

    [Fact]
    public async Task A_store_outage_mid_session_is_audited_and_every_chunk_arrives_after_it()
    {
        using var own = new S3rverProcess();
        await using var b = await StorageBastion.CreateAsync(own.Url);
        await b.StartServeAsync();
        var op = await b.AddOperatorAsync("outage");
        // 45 s of output, with the store down for 30 s of it.
        await using var ssh = b.Ssh(op, "for i in $(seq 1 60); do echo OUTAGE_$i; sleep 0.75; done");
        await ssh.WaitForAsync("OUTAGE_2", ShortWait);
        var running = await b.WaitForSessionAsync("outage", s => s.GetProperty("status").GetString() == "running", "running");
        string id = running.GetProperty("id").GetString()!;
        string prefix = running.GetProperty("recording").GetString()!;
        await b.WaitForObjectAsync(prefix + "000000.cast.br", ShortWait);

        own.Stop();
        var down = Stopwatch.StartNew();
        Assert.True(await b.Serve!.WaitForLogAsync("failing", ShortWait), "no outage log line:\n" + b.Serve.Log);
        // Best-effort: the operator's session goes on while the store is down.
        int before = ssh.Output.Length;
        await Task.Delay(TimeSpan.FromSeconds(30) - down.Elapsed);
        Assert.True(ssh.Output.Length > before, "the session stalled during the outage");
        own.Start();

        Assert.Equal(0, await ssh.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        Assert.True(await b.Serve.WaitForLogAsync("reachable again", ShortWait), "no recovery log line:\n" + b.Serve.Log);
        await b.WaitForObjectAsync(ObjectLayout.ManifestKey(prefix), TimeSpan.FromSeconds(60));
        var verify = await b.CliAsync("verify", id);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        string shown = await b.ExportAndCatAsync(id);
        for (int i = 1; i <= 60; i++) Assert.Contains($"OUTAGE_{i}\r\n", shown);

        using var audit = JsonDocument.Parse((await b.MustAsync("audit", "--json")).Out);
        var types = audit.RootElement.EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Contains("recording.failure", types);
        Assert.Contains("storage.recovered", types);
        Assert.True(types.IndexOf("recording.failure") < types.IndexOf("storage.recovered"));
    }

    [Fact]
    public async Task Strict_mode_closes_running_sessions_and_refuses_new_ones_while_the_store_is_down()
    {
        using var own = new S3rverProcess();
        await using var b = await StorageBastion.CreateAsync(own.Url, mode: "strict");
        await b.StartServeAsync();
        var first = await b.AddOperatorAsync("strict1");
        var second = await b.AddOperatorAsync("strict2");
        await using var ssh = b.Ssh(first, "for i in $(seq 1 120); do echo STRICT_$i; sleep 0.5; done");
        await ssh.WaitForAsync("STRICT_2", ShortWait);

        own.Stop();
        await ssh.WaitForAsync("the recording store is unavailable", ShortWait);
        Assert.Equal(1, await ssh.WaitForExitAsync(ShortWait));
        await using var refused = b.Ssh(second, "echo SHOULD_NOT_RUN");
        Assert.Equal(1, await refused.WaitForExitAsync(ShortWait));
        Assert.Contains("sessions cannot be recorded right now", refused.Output);
        Assert.DoesNotContain("SHOULD_NOT_RUN\r", refused.Output);
        var closed = await b.WaitForSessionAsync("strict1", s => s.GetProperty("status").GetString() != "running", "closed");
        Assert.Equal("recording-failure", closed.GetProperty("endReason").GetString());
        own.Start();
    }
}
