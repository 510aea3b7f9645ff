namespace Fumidai.Gateway.Bastion;

/// <summary>Makes a recording cut by a crash playable again: drops a partially written last line.</summary>
public static class RecordingRepair
{
    /// <summary>Returns the number of bytes removed (0 when the file already ended with a whole line).</summary>
    public static long TrimPartialLastLine(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        long length = file.Length;
        if (length == 0) return 0;
        // Scan back from the end for the last newline, in blocks, without reading the whole file.
        var block = new byte[64 * 1024];
        long position = length;
        while (position > 0)
        {
            int size = (int)Math.Min(block.Length, position);
            position -= size;
            file.Position = position;
            file.ReadExactly(block, 0, size);
            int newline = Array.LastIndexOf(block, (byte)'\n', size - 1, size);
            if (newline >= 0)
            {
                long keep = position + newline + 1;
                if (keep == length) return 0;
                file.SetLength(keep);
                file.Flush(flushToDisk: true);
                return length - keep;
            }
        }
        return 0;
    }
}
