using System.Text;
using System.Text.Json;
using Fumidai.Gateway.Storage;

namespace Fumidai.Gateway.Audit.Export;

/// <summary>Every audit event as one JSON line on stdout (the fields of the shipped audit log), for container log collectors.</summary>
/// <remarks>Each line is one write, so the log lines that share stdout cannot split it.</remarks>
public sealed class StdoutSink(TextWriter output) : IAuditSink
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Name => "stdout";

    public async Task SendAsync(IReadOnlyList<AuditEvent> batch, CancellationToken cancellationToken)
    {
        var lines = new StringBuilder();
        foreach (var e in batch)
        {
            lines.Append(JsonSerializer.Serialize(new ShippedAuditEvent(e.Sequence, MetadataStore.Time(e.Time), e.Type, e.User, e.Outcome, e.Source,
                e.Target, e.Details, e.PreviousHash, e.Hash), Json)).Append('\n');
            if (lines.Length > 32 * 1024)
            {
                await output.WriteAsync(lines.ToString().AsMemory(), cancellationToken).ConfigureAwait(false);
                lines.Clear();
            }
        }
        if (lines.Length > 0) await output.WriteAsync(lines.ToString().AsMemory(), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
