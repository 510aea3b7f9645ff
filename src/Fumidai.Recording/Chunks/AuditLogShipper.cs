using System.Globalization;
using Fumidai.Recording.Storage;

namespace Fumidai.Recording.Chunks;

/// <summary>Ships the audit event log to the object store like recordings: JSON-line chunks, chained, a signed manifest per period.</summary>
/// <remarks>
/// A period (default one hour) is one chunked stream under <c>audit/YYYY/MM/DD/NODE-START/</c>; rotation signs its
/// manifest with end reason <c>rotated</c>. Several nodes never share a period, so no coordination is needed; a crash
/// leaves a spool that <see cref="RecoveryScanner"/> finishes as <c>interrupted</c>.
/// </remarks>
public sealed class AuditLogShipper : IAsyncDisposable
{
    public const string EndReasonRotated = "rotated";
    public const string EndReasonShutdown = "shutdown";

    private readonly object _lock = new();
    private readonly string _spoolRoot;
    private readonly SpoolUploader _uploader;
    private readonly IManifestSigner _signer;
    private readonly string _node;
    private readonly TimeSpan _period;
    private readonly ChunkingOptions _options;
    private readonly List<Task> _closing = [];
    private ChunkedRecordingWriter? _current;

    /// <param name="node">This node's name, part of each period id (letters, digits, '-').</param>
    public AuditLogShipper(string spoolRoot, SpoolUploader uploader, IManifestSigner signer, string node, TimeSpan? period = null,
        ChunkingOptions? options = null)
    {
        _spoolRoot = spoolRoot;
        _uploader = uploader;
        _signer = signer;
        _node = node;
        _period = period ?? TimeSpan.FromHours(1);
        // The audit log ships within 5 s however busy the node: one writer per node, so sealing it often costs little.
        _options = options ?? new ChunkingOptions { MaxChunkAge = TimeSpan.FromSeconds(5) };
    }

    /// <summary>The open period's object folder, or null before the first event.</summary>
    public string? CurrentPrefix
    {
        get
        {
            lock (_lock) return _current?.Descriptor.Prefix;
        }
    }

    /// <summary>Appends one event (a JSON object, without newline), opening or rotating the period as needed.</summary>
    public void Append(ReadOnlySpan<byte> jsonLine)
    {
        if (jsonLine.Contains((byte)'\n')) throw new ArgumentException("an audit event is one line", nameof(jsonLine));
        lock (_lock)
        {
            var now = DateTimeOffset.UtcNow;
            if (_current is not null && now - _current.Descriptor.Start >= _period) CloseCurrent(EndReasonRotated);
            _current ??= Open(now);
            byte[] line = new byte[jsonLine.Length + 1];
            jsonLine.CopyTo(line);
            line[^1] = (byte)'\n';
            _current.Write(line);
        }
    }

    /// <summary>Closes the open period now (its manifest is signed and queued); the next event opens a new one.</summary>
    public Task RotateAsync(string endReason = EndReasonRotated)
    {
        lock (_lock)
        {
            CloseCurrent(endReason);
            return Task.WhenAll(_closing);
        }
    }

    private ChunkedRecordingWriter Open(DateTimeOffset now)
    {
        // Ticks keep ids unique when a period is rotated by hand twice within a second.
        string id = $"{_node}-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}-{now.UtcTicks % 10_000_000:D7}";
        var descriptor = new RecordingDescriptor
        {
            Kind = RecordingKinds.Audit,
            Id = id,
            Prefix = ObjectLayout.AuditPrefix(id, now),
            Start = now,
            Metadata = new Dictionary<string, string> { ["node"] = _node },
        };
        return ChunkedRecordingWriter.Create(_spoolRoot, descriptor, _uploader, _signer, _options);
    }

    private void CloseCurrent(string endReason)
    {
        if (_current is null) return;
        var closing = _current;
        _current = null;
        _closing.RemoveAll(t => t.IsCompleted);
        _closing.Add(closing.CompleteAsync(endReason));
    }

    public async ValueTask DisposeAsync() => await RotateAsync(EndReasonShutdown).ConfigureAwait(false);
}
