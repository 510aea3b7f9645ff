using System.Text;

namespace Fumidai.Gateway.Bastion.Transfers;

/// <summary>Collects one scp protocol line across channel chunks, with a length limit.</summary>
internal sealed class ScpLineBuffer
{
    private readonly int _limit;
    private readonly MemoryStream _bytes = new();

    public ScpLineBuffer(int limit) => _limit = limit;

    /// <summary>True once a line went past the limit; the caller stops parsing.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Takes bytes up to and including '\n'; true with the line (without '\n', decoded as UTF-8) when one is complete.</summary>
    public bool Feed(ref ReadOnlySpan<byte> data, out string? line)
    {
        line = null;
        if (Overflowed) return false;
        int newline = data.IndexOf((byte)'\n');
        var chunk = newline < 0 ? data : data[..newline];
        if (_bytes.Length + chunk.Length > _limit)
        {
            Overflowed = true;
            return false;
        }
        _bytes.Write(chunk);
        if (newline < 0)
        {
            data = default;
            return false;
        }
        data = data[(newline + 1)..];
        line = Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);
        _bytes.SetLength(0);
        return true;
    }
}
