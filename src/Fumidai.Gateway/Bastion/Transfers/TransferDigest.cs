using System.Security.Cryptography;

namespace Fumidai.Gateway.Bastion.Transfers;

/// <summary>Byte count and SHA-256 of one file's content as it crosses the bastion, in offset order.</summary>
/// <remarks>Data that does not continue at the expected offset (a seek, a resumed transfer) voids the hash, not the count.</remarks>
internal sealed class TransferDigest : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private ulong _nextOffset;
    private bool _sequential = true;

    public TransferDigest(string path, string operation)
    {
        Path = path;
        Operation = operation;
    }

    public string Path { get; }

    public string Operation { get; }

    public long Bytes { get; private set; }

    public void Append(ulong offset, ReadOnlySpan<byte> data)
    {
        Bytes += data.Length;
        if (offset != _nextOffset) _sequential = false;
        if (_sequential) _hash.AppendData(data);
        _nextOffset = offset + (ulong)data.Length;
    }

    /// <summary>Appends data known to follow the previous bytes (scp streams have no offsets).</summary>
    public void Append(ReadOnlySpan<byte> data) => Append(_nextOffset, data);

    public FileTransfer Complete() =>
        new(Operation, Path, Bytes, _sequential ? Convert.ToHexStringLower(_hash.GetHashAndReset()) : null,
            _sequential ? null : "non-sequential offsets: hash not computed");

    public void Dispose() => _hash.Dispose();
}
