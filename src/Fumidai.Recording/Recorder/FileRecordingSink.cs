namespace Fumidai.Recording.Recorder;

/// <summary>The single-file backend: one owner-only <c>.cast</c> file, fsynced.</summary>
internal sealed class FileRecordingSink : IRecordingSink
{
    private readonly FileStream _file;

    public FileRecordingSink(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            BufferSize = 64 * 1024,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
    }

    public Stream Stream => _file;

    public void Flush() => _file.Flush(flushToDisk: true);

    public async ValueTask CompleteAsync(string endReason)
    {
        _file.Flush(flushToDisk: true);
        await _file.DisposeAsync().ConfigureAwait(false);
    }
}
