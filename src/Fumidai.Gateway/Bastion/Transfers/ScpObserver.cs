using System.Text;
using Fumidai.Gateway.Policy;

namespace Fumidai.Gateway.Bastion.Transfers;

/// <summary>
/// Follows the legacy scp protocol (<c>scp -O</c>: <c>scp -t</c> receives, <c>scp -f</c> sends) to report each file
/// with its path, size and SHA-256, and to mark the protocol in the recording: every control line (C, D, E, T), every
/// warning and error, and a count of acknowledgements at the end. File bytes are summarised, never recorded.
/// </summary>
/// <remarks>
/// Both directions are parsed: the sender's (control lines, file data, status bytes) and the receiver's replies (0,
/// or 1/2 followed by a message). As soon as either side sends something the protocol does not allow, the observer is
/// <see cref="Lost"/> and the relay records the rest of the session as it is, so nothing passes unrecorded.
/// </remarks>
public sealed class ScpObserver : ITransferObserver
{
    private const int MaxControlLine = 8192;
    private readonly object _lock = new();
    private readonly Action<FileTransfer> _report;
    private readonly Action<string> _marker;
    private readonly bool _upload;
    private readonly string _sender;
    private readonly string _receiver;
    private readonly List<string> _directories = [];
    private readonly ScpLineBuffer _senderLine = new(MaxControlLine);
    private readonly ScpLineBuffer _replyLine = new(MaxControlLine);
    private readonly string _basePath;
    private readonly bool _targetIsDirectory;
    private string? _note;
    private TransferDigest? _file;
    private long _size;
    private long _remaining;
    private bool _awaitingStatus;
    private bool _inReply;
    private long _files, _acknowledgements, _warnings, _errors;
    private volatile bool _lost;

    /// <param name="command">The parsed exec command, e.g. <c>scp -t /tmp/</c> or <c>scp -f /etc/hosts</c>.</param>
    /// <param name="report">Called for each file, on the relay's tasks.</param>
    /// <param name="marker">Writes a marker into the session's recording.</param>
    public ScpObserver(ScpCommandLine command, Action<FileTransfer> report, Action<string> marker)
    {
        _report = report;
        _marker = marker;
        _upload = command.Upload;
        (_sender, _receiver) = _upload ? ("operator", "target") : ("target", "operator");
        _basePath = command.Path;
        // scp sends -d when the target must be a directory (several sources); otherwise `scp -t PATH` writes a single
        // file to PATH itself unless PATH is an existing directory, which only the target knows.
        _targetIsDirectory = command.TargetIsDirectory || _basePath.EndsWith('/') || _basePath is "." or "~";
    }

    public bool Lost => _lost;

    public void FromClient(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (_upload) FeedSender(data);
            else FeedReplies(data);
        }
    }

    public void FromServer(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (_upload) FeedReplies(data);
            else FeedSender(data);
        }
    }

    /// <summary>Reports a file cut short and writes the summary marker.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            if (_file is not null) FinishFile($"incomplete: {_size - _remaining} of {_size} bytes");
            _marker($"scp summary: {_files} file(s), {_acknowledgements} acknowledgement(s), {_warnings} warning(s), {_errors} error(s)");
        }
    }

    private void FeedSender(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !_lost)
        {
            if (_file is not null && _remaining > 0)
            {
                int take = (int)Math.Min(_remaining, data.Length);
                _file.Append(data[..take]);
                _remaining -= take;
                data = data[take..];
                if (_remaining == 0) _awaitingStatus = true;
                continue;
            }
            if (_awaitingStatus)
            {
                // The byte after the content is the sender's status: 0, or a warning/error line that follows.
                _awaitingStatus = false;
                if (data[0] == 0)
                {
                    FinishFile(null);
                    data = data[1..];
                }
                else
                {
                    FinishFile("sender reported an error");
                }
                continue;
            }
            if (!_senderLine.Feed(ref data, out string? line))
            {
                if (_senderLine.Overflowed) LoseTrack("a control line longer than scp allows");
                return;
            }
            OnSenderLine(line!);
        }
    }

    private void OnSenderLine(string line)
    {
        switch (line.Length == 0 ? '\0' : line[0])
        {
            case '\x01' or '\x02':
                OnMessage(line, _sender);
                return;
            case 'C' when ScpControlLine.TryParseFile(line, out long size, out string? name):
                _marker($"scp from {_sender}: {line}");
                StartFile(size, name);
                return;
            case 'D' when ScpControlLine.TryParseFile(line, out _, out string? directory):
                _marker($"scp from {_sender}: {line}");
                _directories.Add(directory);
                return;
            case 'E' when line.Length == 1:
                _marker($"scp from {_sender}: {line}");
                if (_directories.Count > 0) _directories.RemoveAt(_directories.Count - 1);
                return;
            case 'T' when ScpControlLine.IsTimes(line):
                _marker($"scp from {_sender}: {line}");
                return;
            default:
                LoseTrack($"the {_sender} sent a line scp does not send");
                return;
        }
    }

    private void StartFile(long size, string name)
    {
        string path;
        if (_directories.Count > 0) path = System.IO.Path.Combine([_basePath, .. _directories, name]);
        else if (_upload && _targetIsDirectory) path = System.IO.Path.Combine(_basePath, name);
        else path = _basePath;
        if (_upload && _directories.Count == 0 && !_targetIsDirectory && name != System.IO.Path.GetFileName(_basePath))
            _note = $"sent as {name}: written to {System.IO.Path.Combine(_basePath, name)} if {_basePath} is a directory";
        _files++;
        _file = new TransferDigest(path, _upload ? "upload" : "download");
        _size = _remaining = size;
        if (size == 0) _awaitingStatus = true;
    }

    private void FinishFile(string? problem)
    {
        _report(_file!.Complete() with { Detail = _note is null ? problem : problem is null ? _note : _note + "; " + problem });
        _note = null;
        _file.Dispose();
        _file = null;
        _remaining = 0;
        _awaitingStatus = false;
    }

    private void FeedReplies(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !_lost)
        {
            if (!_inReply)
            {
                byte code = data[0];
                if (code == 0)
                {
                    _acknowledgements++;
                    data = data[1..];
                    continue;
                }
                if (code is not (1 or 2))
                {
                    LoseTrack($"the {_receiver} replied with something scp does not send");
                    return;
                }
                _inReply = true;
            }
            if (!_replyLine.Feed(ref data, out string? line))
            {
                if (_replyLine.Overflowed) LoseTrack("a reply longer than scp allows");
                return;
            }
            _inReply = false;
            OnMessage(line!, _receiver);
            // A reply other than 0 to a C line means the file is not sent at all.
            if (_file is not null && _remaining == _size) FinishFile("refused: " + line![1..]);
        }
    }

    private void OnMessage(string line, string side)
    {
        bool fatal = line[0] == '\x02';
        if (fatal) _errors++;
        else _warnings++;
        _marker($"scp {(fatal ? "error" : "warning")} from {side}: {line[1..]}");
    }

    private void LoseTrack(string why)
    {
        _lost = true;
        _marker($"scp: {why}; the stream no longer follows the scp protocol and the rest is recorded as it is");
    }
}
