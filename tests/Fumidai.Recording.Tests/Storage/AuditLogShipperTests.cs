using System.Text;
using System.Text.Json;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Tests.Storage;

/// <summary>The audit log goes to the store in chained, signed periods that verify and read back line for line.</summary>
public sealed class AuditLogShipperTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fumidai-audit-").FullName;

    [Fact]
    public async Task Periods_are_chunked_signed_and_verifiable()
    {
        var store = new FileObjectStore(Path.Combine(_root, "store"));
        await using var h = new RecordingHarness(store);
        var shipper = new AuditLogShipper(h.SpoolRoot, h.Uploader, h.Signer, "node1", TimeSpan.FromHours(1), RecordingHarness.FastChunks);
        for (int i = 0; i < 200; i++) shipper.Append(Event(i));
        string first = shipper.CurrentPrefix!;
        await shipper.RotateAsync();
        for (int i = 200; i < 260; i++) shipper.Append(Event(i));
        string second = shipper.CurrentPrefix!;
        await shipper.DisposeAsync();
        await h.Uploader.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.StartsWith(ObjectLayout.AuditRoot + DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy'/'MM'/'dd'/'", System.Globalization.CultureInfo.InvariantCulture) + "node1-", first);
        Assert.NotEqual(first, second);
        var results = await h.Verifier.VerifyAllAsync(ObjectLayout.AuditRoot);
        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.True(r.Ok, r.Problem));
        var byPrefix = results.ToDictionary(r => r.Prefix);
        Assert.Equal(AuditLogShipper.EndReasonRotated, byPrefix[first].Manifest!.EndReason);
        Assert.Equal(AuditLogShipper.EndReasonShutdown, byPrefix[second].Manifest!.EndReason);
        Assert.Equal("audit", byPrefix[first].Manifest!.Kind);
        Assert.True(byPrefix[first].Manifest!.Chunks.Count > 1);
        Assert.EndsWith(".jsonl.br", byPrefix[first].Manifest!.Chunks[0].Name);

        string[] lines = Encoding.UTF8.GetString(await RecordingReader.ReadAllAsync(store, first)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(200, lines.Length);
        Assert.Equal(199, JsonDocument.Parse(lines[^1]).RootElement.GetProperty("seq").GetInt32());
    }

    private static byte[] Event(int i) => JsonSerializer.SerializeToUtf8Bytes(new { seq = i, type = "login", user = "alice", outcome = "success", source = "10.0.0.1" });

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
