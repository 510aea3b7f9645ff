using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Fumidai.Gateway.Tests.Cli;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Gateway.Tests.EndToEndStorage;

/// <summary>A recording made through the bastion, then altered in the store: every command that reads it must notice.</summary>
[Collection(StorageEndToEnd.Collection)]
public sealed class TamperedRecordingEndToEndTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_running_session_reads_with_a_warning_and_an_altered_chunk_is_refused_by_every_read_unless_unverified()
    {
        await using var b = await StorageBastion.CreateAsync(null);
        await b.StartServeAsync();
        var op = await b.AddOperatorAsync("altered");
        string id, prefix;
        await using (var ssh = b.Ssh(op, "echo MARK_$((1+1))_ssh; sleep 16; echo DONE"))
        {
            await ssh.WaitForAsync("MARK_2_ssh", Short);
            var running = await b.WaitForSessionAsync("altered", s => s.GetProperty("status").GetString() == "running", "running");
            id = running.GetProperty("id").GetString()!;
            prefix = running.GetProperty("recording").GetString()!;
            // Not signed yet, so nothing to verify against: readable, behind a warning, once a chunk with the output is sealed.
            var clock = Stopwatch.StartNew();
            while (true)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "the output was not stored while the session ran");
                if ((await b.KeysAsync(prefix)).Count > 0)
                {
                    var live = await b.CliAsync("sessions", "transcript", id);
                    Assert.True(live.ExitCode == 0, live.ToString());
                    Assert.StartsWith($"WARNING: session {id} is still running", live.Out);
                    if (live.Out.Contains("MARK_2_ssh", StringComparison.Ordinal)) break;
                }
                await Task.Delay(250);
            }
            Assert.Equal(0, await ssh.WaitForExitAsync(Short));
        }
        string manifestKey = ObjectLayout.ManifestKey(prefix);
        await b.WaitForObjectAsync(manifestKey, Short);
        var clean = await b.MustAsync("sessions", "transcript", id);
        Assert.DoesNotContain("WARNING", clean.Out);
        await WaitForHitAsync(b, "MARK_");

        // What an intruder with write access to the store would do: change what was typed, recompress, put it back.
        var manifest = ManifestCodec.Read((await b.Store.GetAsync(manifestKey))!).Manifest;
        var compression = ChunkCodec.Parse(manifest.Compression);
        string chunkKey = prefix + manifest.Chunks[0].Name;
        byte[] original = (await b.Store.GetAsync(chunkKey))!;
        string text = Encoding.UTF8.GetString(ChunkCodec.Decompress(original, compression));
        Assert.Contains("MARK_2_ssh", text);
        byte[] altered = ChunkCodec.Compress(Encoding.UTF8.GetBytes(text.Replace("MARK_2_ssh", "MARK_2_rsh")), compression);
        await b.Store.PutAsync(chunkKey, altered);
        // The verifier checks the stored size before the hash, and recompressed text is not always the same size.
        string Problem = altered.Length == original.Length
            ? "chunk 0: SHA-256 mismatch"
            : $"chunk 0: size mismatch ({altered.Length} bytes stored, {original.Length} signed)";

        string[][] reads =
        [
            ["sessions", "transcript", id],
            ["sessions", "commands", id],
            ["sessions", "export", id, "-o", b.Directory.Combine("refused.cast")],
            ["sessions", "play", id, "--speed", "1000"],
            ["sessions", "search", "MARK_"],
            ["sessions", "reindex"],
        ];
        foreach (var read in reads)
        {
            var refused = await b.CliAsync(read);
            Assert.True(refused.ExitCode == 1, refused.ToString());
            Assert.True(refused.Error.Contains($"recording {id}: {Problem}", StringComparison.Ordinal), $"{string.Join(' ', read)}: {refused}");
            Assert.DoesNotContain("MARK_2_rsh", refused.Out);
        }
        Assert.False(File.Exists(b.Directory.Combine("refused.cast")));

        string warning = $"WARNING: recording {id} does not verify ({Problem})";
        int n = 0;
        foreach (var read in reads)
        {
            string[] args = read[1] == "export" ? ["sessions", "export", id, "-o", b.Directory.Combine($"unverified-{n++}.cast"), "--unverified"] : [.. read, "--unverified"];
            var shown = await b.CliAsync(args);
            Assert.True(shown.ExitCode == 0, shown.ToString());
            Assert.StartsWith(warning, shown.Out);
        }
        Assert.Contains("MARK_2_rsh", (await b.CliAsync("sessions", "transcript", id, "--unverified")).Out);
        Assert.Contains("(!) unverified", (await b.CliAsync("sessions", "search", "MARK_", "--unverified")).Out);

        var json = await b.CliAsync("sessions", "search", "MARK_", "--unverified", "--json");
        Assert.StartsWith(warning, json.Error);
        Assert.False(JsonDocument.Parse(json.Out).RootElement[0].GetProperty("verified").GetBoolean());
        var commands = await b.CliAsync("sessions", "commands", id, "--unverified", "--json");
        Assert.StartsWith(warning, commands.Error);
        Assert.False(JsonDocument.Parse(commands.Out).RootElement[0].GetProperty("verified").GetBoolean());

        // Put back, the recording verifies again; the index still says it was built from the altered one until reindexed.
        await b.Store.PutAsync(chunkKey, original);
        Assert.DoesNotContain("WARNING", (await b.MustAsync("sessions", "transcript", id)).Out);
        var stale = await b.CliAsync("sessions", "search", "MARK_");
        Assert.Equal(1, stale.ExitCode);
        Assert.Contains("indexed from a recording that did not verify", stale.Error);
        await b.MustAsync("sessions", "reindex");
        Assert.DoesNotContain("WARNING", (await b.MustAsync("sessions", "search", "MARK_")).Out);
    }

    /// <summary>The bastion indexes a session after it ends: polls (bounded) until search finds it.</summary>
    private static async Task WaitForHitAsync(StorageBastion b, string text)
    {
        var clock = Stopwatch.StartNew();
        while (!(await b.MustAsync("sessions", "search", text)).Out.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < Short, $"search never found {text}");
            await Task.Delay(250);
        }
    }
}
