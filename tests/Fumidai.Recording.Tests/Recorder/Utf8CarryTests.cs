using System.Text;
using Fumidai.Recording.Recorder;
using Fumidai.Recording.Storage;
using Fumidai.Recording.Tests.Storage;

namespace Fumidai.Recording.Tests.Recorders;

/// <summary>The recorder's UTF-8 fast path: characters split across chunks stay whole; invalid bytes become U+FFFD.</summary>
public sealed class Utf8CarryTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Text_split_at_every_position_comes_out_whole(int seed)
    {
        var random = new Random(seed);
        string text = string.Concat(Enumerable.Range(0, 400).Select(_ => random.Next(5) switch
        {
            0 => "a",
            1 => "é",
            2 => "日本",
            3 => "🙂",
            _ => "\u001b[31m",
        }));
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var carry = new Utf8Carry();
        var output = new List<byte>();
        for (int i = 0; i < bytes.Length;)
        {
            int n = Math.Min(random.Next(1, 7), bytes.Length - i);
            var piece = carry.Take(bytes.AsSpan(i, n));
            Assert.True(System.Text.Unicode.Utf8.IsValid(piece), "a piece ended inside a character");
            output.AddRange(piece.ToArray());
            i += n;
        }
        Assert.Equal(text, Encoding.UTF8.GetString(output.ToArray()));
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0xE6 }, 1)]
    [InlineData(new byte[] { 0x61, 0xE6, 0x97 }, 1)]
    [InlineData(new byte[] { 0x61, 0xF0, 0x9F, 0x99 }, 1)]
    [InlineData(new byte[] { 0x61, 0xC3 }, 1)]
    [InlineData(new byte[] { 0x61, 0xC3, 0xA9 }, 3)]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80 }, 4)]
    public void Incomplete_tail_is_held_back(byte[] data, int emitted) => Assert.Equal(emitted, Utf8Carry.IncompleteTailStart(data));

    [Fact]
    public async Task Recorder_writes_invalid_bytes_as_replacement_characters_and_valid_text_unchanged()
    {
        string root = Directory.CreateTempSubdirectory("fumidai-utf8-").FullName;
        try
        {
            await using var harness = new RecordingHarness(new FileObjectStore(Path.Combine(root, "store")));
            var descriptor = RecordingHarness.Descriptor();
            var recorder = harness.NewRecorder(descriptor);
            recorder.Output("日本語 "u8);
            recorder.Output([0xE6, 0x97]);
            recorder.Output([0xA5, (byte)'!', 0xFF, (byte)'\n', 0]);
            await recorder.CompleteAsync();
            await recorder.Chunks.Uploaded.WaitAsync(TimeSpan.FromSeconds(30));
            var (_, output, _) = await harness.ReadBackAsync(descriptor.Prefix);
            Assert.Equal("日本語 日!\uFFFD\n\0", output);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
