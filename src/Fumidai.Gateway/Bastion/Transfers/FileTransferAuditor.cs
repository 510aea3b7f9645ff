using System.Threading.Channels;
using Fumidai.Gateway.Audit;
using Fumidai.Recording.Recorder;

namespace Fumidai.Gateway.Bastion.Transfers;

/// <summary>Turns observed file transfers into audit events and recording markers, off the relay's hot path.</summary>
public sealed class FileTransferAuditor
{
    private readonly Channel<FileTransfer> _queue = Channel.CreateUnbounded<FileTransfer>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public FileTransferAuditor(IAuditLog audit, SessionRecorder recorder, string user, string source, string target, string sessionId)
    {
        _writer = Task.Run(async () =>
        {
            await foreach (var transfer in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                recorder.Marker($"file {transfer.Operation} {transfer.Path} {transfer.Bytes} bytes sha256 {transfer.Sha256 ?? "-"}"
                    + (transfer.Detail is null ? "" : $" ({transfer.Detail})"));
                var details = new Dictionary<string, string>
                {
                    ["session"] = sessionId,
                    ["operation"] = transfer.Operation,
                    ["path"] = transfer.Path,
                    ["bytes"] = transfer.Bytes.ToString(),
                    ["sha256"] = transfer.Sha256 ?? "",
                };
                if (transfer.Detail is not null) details["detail"] = transfer.Detail;
                await audit.RecordAsync(AuditTypes.FileTransfer, AuditOutcome.Success, user, source, target, details).ConfigureAwait(false);
            }
        });
    }

    /// <summary>Called by observers on the relay's tasks; never blocks.</summary>
    public void Report(FileTransfer transfer) => _queue.Writer.TryWrite(transfer);

    /// <summary>Waits until every reported transfer is audited.</summary>
    public async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
