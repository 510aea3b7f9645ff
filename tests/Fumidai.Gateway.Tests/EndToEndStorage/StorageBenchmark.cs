using System.Diagnostics;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;
using Xunit.Abstractions;

namespace Fumidai.Gateway.Tests.EndToEndStorage;

/// <summary>Opt-in figures (FUMIDAI_BENCH=1): pty throughput through the bastion recording to files versus S3, and upload lag.</summary>
/// <remarks>Without the variable the test is reported skipped: the figures need a quiet machine, not a test run.</remarks>
[Collection(StorageEndToEnd.Collection)]
public sealed class StorageBenchmark : IClassFixture<S3Fixture>
{
    private readonly S3Fixture _s3;
    private readonly ITestOutputHelper _output;

    public StorageBenchmark(S3Fixture s3, ITestOutputHelper output)
    {
        _s3 = s3;
        _output = output;
    }

    [EnvironmentFact("FUMIDAI_BENCH", "1")]
    public async Task Pty_throughput_with_S3_versus_files_and_upload_lag()
    {
        int mib = int.TryParse(Environment.GetEnvironmentVariable("FUMIDAI_BENCH_MIB"), out int m) ? m : 64;
        foreach (string? url in new[] { null, _s3.Url, null, _s3.Url })
        {
            await using var b = await StorageBastion.CreateAsync(url);
            await b.StartServeAsync();
            var op = await b.AddOperatorAsync("bench");
            var clock = Stopwatch.StartNew();
            await using (var ssh = b.Ssh(op, $"head -c {mib}M /dev/zero; echo; echo BENCH_DONE"))
            {
                await ssh.WaitForAsync("BENCH_DONE", TimeSpan.FromMinutes(10));
                await ssh.WaitForExitAsync(TimeSpan.FromMinutes(1));
            }
            var session = clock.Elapsed;
            var ended = await b.WaitForSessionAsync("bench", s => s.GetProperty("status").GetString() != "running", "ended", TimeSpan.FromMinutes(2));
            string prefix = ended.GetProperty("recording").GetString()!;
            await b.WaitForObjectAsync(ObjectLayout.ManifestKey(prefix), TimeSpan.FromMinutes(10));
            var lag = clock.Elapsed - session;
            var manifest = ManifestCodec.Read(await b.Store.GetAsync(ObjectLayout.ManifestKey(prefix))).Manifest;
            _output.WriteLine($"{(url is null ? "file" : "s3  ")}: {mib} MiB of pty output in {session.TotalSeconds:F1} s = {mib / session.TotalSeconds:F1} MiB/s; " +
                $"manifest stored {lag.TotalSeconds:F1} s after the client exited; {manifest.Chunks.Count} chunks, raw {manifest.TotalRawBytes / 1048576.0:F1} MiB, " +
                $"stored {manifest.TotalStoredBytes / 1048576.0:F2} MiB");
        }
    }
}
