using System.Diagnostics;
using Amazon.Runtime;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Tests.Storage;

/// <summary>What only S3 has: start checks naming the cause, outages of the endpoint, and the AWS CLI reading what was written.</summary>
public sealed class S3StoreTests(S3Fixture s3) : IClassFixture<S3Fixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_start_check_names_a_missing_bucket()
    {
        using var store = S3Fixture.Store(s3.Url, "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]);
        var ex = await Assert.ThrowsAsync<ObjectStoreException>(() => store.CheckWritableAsync());
        Assert.Contains("does not exist", ex.Message);
        Assert.Contains("not writable", ex.Message);
    }

    [Fact]
    public async Task The_start_check_names_bad_credentials_without_printing_them()
    {
        string bucket = await S3Fixture.CreateBucketAsync(s3.Url);
        using var store = new S3ObjectStore(new S3ObjectStoreOptions { ServiceUrl = s3.Url, Bucket = bucket, ForcePathStyle = true, MaxErrorRetry = 0 },
            new BasicAWSCredentials("WRONGKEY", "wrong-secret-value"));
        var ex = await Assert.ThrowsAsync<ObjectStoreException>(() => store.CheckWritableAsync());
        Assert.Contains("credentials rejected", ex.Message);
        Assert.DoesNotContain("wrong-secret-value", ex.Message);
    }

    [Fact]
    public async Task The_start_check_names_an_unreachable_endpoint()
    {
        // A port that was free a moment ago: nothing listens there.
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        int port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var store = S3Fixture.Store($"http://127.0.0.1:{port}", "bucket");
        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<ObjectStoreException>(() => store.CheckWritableAsync());
        Assert.Contains("unreachable", ex.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Options_are_validated_in_configuration_terms()
    {
        var errors = new S3ObjectStoreOptions { ServerSideEncryption = "DES", ObjectLockMode = "FOREVER", KmsKeyId = "k" }.Validate();
        Assert.Contains(errors, e => e.StartsWith("Recording:S3:Bucket", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Recording:S3:ServerSideEncryption", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Recording:S3:KmsKeyId", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Recording:S3:ObjectLockMode", StringComparison.Ordinal));
        Assert.Empty(new S3ObjectStoreOptions { Bucket = "b", ServerSideEncryption = "aws:kms", KmsKeyId = "k", ObjectLockMode = "COMPLIANCE", ObjectLockDays = 7 }.Validate());
    }

    [Fact]
    public async Task Puts_with_server_side_encryption_are_accepted()
    {
        string bucket = await S3Fixture.CreateBucketAsync(s3.Url);
        using var store = new S3ObjectStore(new S3ObjectStoreOptions
        {
            ServiceUrl = s3.Url, Bucket = bucket, Prefix = "p", ForcePathStyle = true, ServerSideEncryption = "AES256",
        }, S3Fixture.Credentials);
        await store.PutAsync("recordings/x", new byte[] { 1 });
        Assert.Equal(new byte[] { 1 }, await store.GetAsync("recordings/x"));
    }

    [Fact]
    public async Task An_outage_mid_recording_loses_nothing()
    {
        using var server = new S3rverProcess();
        string bucket = await S3Fixture.CreateBucketAsync(server.Url);
        using var store = S3Fixture.Store(server.Url, bucket);
        await using var h = new RecordingHarness(store);
        var events = new List<string>();
        h.Uploader.OutageStarted += ex => { lock (events) events.Add("started: " + ex.Message); };
        h.Uploader.OutageEnded += d => { lock (events) events.Add("ended"); };
        var d = RecordingHarness.Descriptor();
        var recorder = h.NewRecorder(d);
        int line = 0;
        async Task RecordFor(TimeSpan time)
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < time)
            {
                RecordingHarness.WriteLines(recorder, line, 20);
                line += 20;
                await Task.Delay(50);
            }
        }

        await RecordFor(TimeSpan.FromSeconds(2));
        Assert.NotEmpty(await StoreRecordingTests.List(store, d.Prefix));
        server.Stop();
        await RecordFor(TimeSpan.FromSeconds(6));
        Assert.True(h.Uploader.InOutage);
        Assert.True(h.Uploader.PendingBytes > 0);
        Assert.True(recorder.Failure is null);
        server.Start();
        await RecordFor(TimeSpan.FromSeconds(1));
        await recorder.CompleteAsync("closed");
        await recorder.Chunks!.Uploaded.WaitAsync(Patience);

        Assert.False(h.Uploader.InOutage);
        Assert.Equal(0, h.Uploader.PendingBytes);
        lock (events)
        {
            Assert.Equal(2, events.Count);
            Assert.StartsWith("started: endpoint", events[0]);
            Assert.Equal("ended", events[1]);
        }
        var result = await h.Verifier.VerifyAsync(d.Prefix);
        Assert.True(result.Ok, result.Problem);
        Assert.True(result.Manifest!.Chunks.Count > 10);
        Assert.Equal(StoreRecordingTests.Expected(0, line), (await h.ReadBackAsync(d.Prefix)).Output);
    }

    [Fact]
    public async Task The_aws_cli_lists_and_downloads_what_was_written()
    {
        string bucket = await S3Fixture.CreateBucketAsync(s3.Url);
        using var store = S3Fixture.Store(s3.Url, bucket, prefix: "site");
        await using var h = new RecordingHarness(store);
        var d = RecordingHarness.Descriptor();
        var recorder = h.NewRecorder(d);
        RecordingHarness.WriteLines(recorder, 0, 200);
        await recorder.CompleteAsync("closed");
        await recorder.Chunks!.Uploaded.WaitAsync(Patience);
        var manifest = (await h.Verifier.VerifyAsync(d.Prefix)).Manifest!;

        string listing = Aws($"s3 ls s3://{bucket}/site/recordings/ --recursive");
        foreach (var c in manifest.Chunks) Assert.Contains($"site/{d.Prefix}{c.Name}", listing);
        Assert.Contains($"site/{d.Prefix}manifest.json", listing);

        string download = Directory.CreateTempSubdirectory("fumidai-awscli-").FullName;
        try
        {
            // An auditor's copy of the bucket verifies offline, with the directory store.
            Aws($"s3 cp s3://{bucket}/site/ {download} --recursive");
            foreach (var c in manifest.Chunks)
                Assert.Equal(c.Sha256, ChunkChain.Hex(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(download, d.Prefix, c.Name)))));
            var offline = await new RecordingVerifier(new FileObjectStore(download), h.Signer.Verifier()).VerifyAsync(d.Prefix);
            Assert.True(offline.Ok, offline.Problem);
        }
        finally
        {
            Directory.Delete(download, recursive: true);
        }
    }

    private string Aws(string arguments)
    {
        var info = new ProcessStartInfo("aws") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in $"--endpoint-url {s3.Url} --region us-east-1 {arguments}".Split(' ')) info.ArgumentList.Add(a);
        info.Environment["AWS_ACCESS_KEY_ID"] = "S3RVER";
        info.Environment["AWS_SECRET_ACCESS_KEY"] = "S3RVER";
        info.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        using var p = Process.Start(info) ?? throw new InvalidOperationException("cannot start aws");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000)) p.Kill();
        Assert.True(p.ExitCode == 0, $"aws {arguments}: {stderr.Result}");
        return stdout.Result;
    }
}
