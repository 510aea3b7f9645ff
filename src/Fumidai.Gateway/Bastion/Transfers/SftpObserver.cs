using System.Text;
using Fumidai.Ssh;
using Fumidai.Ssh.Wire;

namespace Fumidai.Gateway.Bastion.Transfers;

/// <summary>
/// Follows an SFTP v3 conversation (draft-ietf-secsh-filexfer-02, as OpenSSH's sftp-server speaks it) to report each
/// file read or written — path, bytes, SHA-256 — and each remove, rename, mkdir and rmdir.
/// </summary>
/// <remarks>
/// It only watches: malformed or unexpected packets are ignored, and the relay never waits for it. Requests are
/// matched to replies by id: OPEN to HANDLE, READ to DATA.
/// </remarks>
public sealed class SftpObserver : ITransferObserver
{
    private const byte FxpOpen = 3, FxpClose = 4, FxpRead = 5, FxpWrite = 6, FxpRemove = 13, FxpMkdir = 14, FxpRmdir = 15, FxpRename = 18;
    private const byte FxpStatus = 101, FxpHandle = 102, FxpData = 103;
    private const uint OpenWrite = 0x02;
    private const int MaxOutstanding = 4096;

    private readonly Action<FileTransfer> _report;
    private readonly PacketAssembler _fromClient = new();
    private readonly PacketAssembler _fromServer = new();
    private readonly Dictionary<uint, (string Path, bool Write)> _pendingOpens = [];
    private readonly Dictionary<uint, (string Handle, ulong Offset)> _pendingReads = [];
    private readonly Dictionary<uint, FileTransfer> _pendingOperations = [];
    private readonly Dictionary<string, TransferDigest> _open = [];
    private readonly object _lock = new();

    public SftpObserver(Action<FileTransfer> report) => _report = report;

    public bool Lost => _fromClient.Broken || _fromServer.Broken;

    public void Complete()
    {
        lock (_lock)
        {
            foreach (var digest in _open.Values)
            {
                var transfer = digest.Complete();
                _report(transfer with { Detail = string.Join("; ", new[] { transfer.Detail, "not closed by the client" }.OfType<string>()) });
                digest.Dispose();
            }
            _open.Clear();
        }
    }

    public void FromClient(ReadOnlySpan<byte> data)
    {
        lock (_lock) _fromClient.Feed(data, OnClientPacket);
    }

    public void FromServer(ReadOnlySpan<byte> data)
    {
        lock (_lock) _fromServer.Feed(data, OnServerPacket);
    }

    private void OnClientPacket(byte[] packet)
    {
        try
        {
            var reader = new SshReader(packet);
            byte type = reader.ReadByte();
            if (type is not (FxpOpen or FxpClose or FxpRead or FxpWrite or FxpRemove or FxpMkdir or FxpRmdir or FxpRename)) return;
            uint id = reader.ReadUInt32();
            switch (type)
            {
                case FxpOpen:
                {
                    string path = ReadPath(ref reader);
                    uint flags = reader.ReadUInt32();
                    Remember(_pendingOpens, id, (path, (flags & OpenWrite) != 0));
                    break;
                }
                case FxpRead:
                {
                    string handle = Key(reader.ReadBinary(256));
                    ulong offset = reader.ReadUInt64();
                    if (_open.ContainsKey(handle)) Remember(_pendingReads, id, (handle, offset));
                    break;
                }
                case FxpWrite:
                {
                    string handle = Key(reader.ReadBinary(256));
                    ulong offset = reader.ReadUInt64();
                    var data = reader.ReadBinary();
                    if (_open.TryGetValue(handle, out var digest)) digest.Append(offset, data);
                    break;
                }
                case FxpClose:
                {
                    string handle = Key(reader.ReadBinary(256));
                    if (_open.Remove(handle, out var digest))
                    {
                        _report(digest.Complete());
                        digest.Dispose();
                    }
                    break;
                }
                case FxpRename:
                {
                    string from = ReadPath(ref reader);
                    string to = ReadPath(ref reader);
                    Remember(_pendingOperations, id, new FileTransfer("rename", from, 0, null, "to " + to));
                    break;
                }
                default:
                {
                    string operation = type switch { FxpRemove => "remove", FxpMkdir => "mkdir", _ => "rmdir" };
                    Remember(_pendingOperations, id, new FileTransfer(operation, ReadPath(ref reader), 0, null));
                    break;
                }
            }
        }
        catch (SshProtocolException)
        {
            // Not ours to judge: the target's sftp-server answers malformed requests itself.
        }
    }

    private void OnServerPacket(byte[] packet)
    {
        try
        {
            var reader = new SshReader(packet);
            byte type = reader.ReadByte();
            if (type is not (FxpHandle or FxpData or FxpStatus)) return;
            uint id = reader.ReadUInt32();
            switch (type)
            {
                case FxpHandle when _pendingOpens.Remove(id, out var open):
                {
                    string handle = Key(reader.ReadBinary(256));
                    _open[handle] = new TransferDigest(open.Path, open.Write ? "upload" : "download");
                    break;
                }
                case FxpData when _pendingReads.Remove(id, out var read):
                {
                    var data = reader.ReadBinary();
                    if (_open.TryGetValue(read.Handle, out var digest)) digest.Append(read.Offset, data);
                    break;
                }
                case FxpStatus:
                {
                    uint code = reader.ReadUInt32();
                    _pendingOpens.Remove(id);
                    _pendingReads.Remove(id);
                    if (_pendingOperations.Remove(id, out var operation))
                        _report(code == 0 ? operation : operation with { Detail = $"{operation.Detail} failed (status {code})".Trim() });
                    break;
                }
            }
        }
        catch (SshProtocolException)
        {
        }
    }

    private static void Remember<T>(Dictionary<uint, T> pending, uint id, T value)
    {
        // A client that never waits for replies cannot make us hold unbounded state.
        if (pending.Count >= MaxOutstanding) pending.Clear();
        pending[id] = value;
    }

    private static string ReadPath(ref SshReader reader) => Encoding.UTF8.GetString(reader.ReadBinary(4096));

    private static string Key(ReadOnlySpan<byte> handle) => Convert.ToHexString(handle);
}
