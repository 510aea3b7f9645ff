using System.Text;

namespace Fumidai.Gateway.Bastion.Transfers;

/// <summary>
/// Follows the legacy scp protocol (<c>scp -O</c>: <c>scp -t</c> receives, <c>scp -f</c> sends) to report each file
/// with its path, size and SHA-256. Only the side that carries file data is parsed; the acknowledgements are ignored.
/// </summary>
public sealed class ScpObserver : ITransferObserver
{
    private const int MaxControlLine = 8192;
    private readonly Action<FileTransfer> _report;
    private readonly bool _upload;
    private readonly List<string> _directories = [];
    private readonly StringBuilder _line = new();
    private readonly string _basePath;
    private readonly bool _targetIsDirectory;
    private string? _note;
    private TransferDigest? _file;
    private long _remaining;
    private bool _awaitingTerminator;
    private bool _broken;

    /// <param name="command">The exec command, e.g. <c>scp -t /tmp/</c> or <c>scp -f /etc/hosts</c>.</param>
    public ScpObserver(string command, Action<FileTransfer> report)
    {
        _report = report;
        var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        _upload = parts.Contains("-t");
        _basePath = parts.Length > 0 && !parts[^1].StartsWith('-') ? parts[^1] : ".";
        // scp sends -d when the target must be a directory (several sources); otherwise `scp -t PATH` writes a single
        // file to PATH itself unless PATH is an existing directory, which only the target knows.
        _targetIsDirectory = parts.Contains("-d") || _basePath.EndsWith('/') || _basePath is "." or "~";
    }

    public void FromClient(ReadOnlySpan<byte> data)
    {
        if (_upload) Feed(data);
    }

    public void FromServer(ReadOnlySpan<byte> data)
    {
        if (!_upload) Feed(data);
    }

    private void Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !_broken)
        {
            if (_file is not null && _remaining > 0)
            {
                int take = (int)Math.Min(_remaining, data.Length);
                _file.Append(data[..take]);
                _remaining -= take;
                data = data[take..];
                if (_remaining == 0) _awaitingTerminator = true;
                continue;
            }
            if (_awaitingTerminator)
            {
                // The byte after the content is the sender's status (0 = ok).
                _awaitingTerminator = false;
                string? error = data[0] == 0 ? null : "sender reported an error";
                _report(_file!.Complete() with { Detail = _note is null ? error : error is null ? _note : _note + "; " + error });
                _note = null;
                _file.Dispose();
                _file = null;
                data = data[1..];
                continue;
            }
            int newline = data.IndexOf((byte)'\n');
            var chunk = newline < 0 ? data : data[..newline];
            _line.Append(Encoding.UTF8.GetString(chunk));
            if (_line.Length > MaxControlLine)
            {
                _broken = true;
                return;
            }
            if (newline < 0) return;
            data = data[(newline + 1)..];
            OnControlLine(_line.ToString());
            _line.Clear();
        }
    }

    private void OnControlLine(string line)
    {
        // Lines may start with the 0x00 acknowledgement when parsed from the sender's side of scp -f.
        line = line.TrimStart('\0');
        if (line.Length == 0) return;
        switch (line[0])
        {
            case 'C':
            {
                var fields = line.Split(' ', 3);
                if (fields.Length != 3 || !long.TryParse(fields[1], out long size) || size < 0)
                {
                    _broken = true;
                    return;
                }
                string name = fields[2];
                string path;
                if (_directories.Count > 0) path = System.IO.Path.Combine([_basePath, .. _directories, name]);
                else if (_upload && _targetIsDirectory) path = System.IO.Path.Combine(_basePath, name);
                else path = _basePath;
                if (_upload && _directories.Count == 0 && !_targetIsDirectory && name != System.IO.Path.GetFileName(_basePath))
                    _note = $"sent as {name}: written to {System.IO.Path.Combine(_basePath, name)} if {_basePath} is a directory";
                _file = new TransferDigest(path, _upload ? "upload" : "download");
                _remaining = size;
                if (size == 0) _awaitingTerminator = true;
                break;
            }
            case 'D':
            {
                var fields = line.Split(' ', 3);
                if (fields.Length == 3) _directories.Add(fields[2]);
                break;
            }
            case 'E':
                if (_directories.Count > 0) _directories.RemoveAt(_directories.Count - 1);
                break;
            // 'T' (times) and warnings (0x01/0x02) carry no file data.
        }
    }
}
