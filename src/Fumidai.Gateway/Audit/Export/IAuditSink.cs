namespace Fumidai.Gateway.Audit.Export;

/// <summary>A destination of the audit log (syslog, stdout, webhook alerts), fed in sequence order by <see cref="AuditForwarder"/>.</summary>
public interface IAuditSink : IAsyncDisposable
{
    /// <summary>Names the export in the store, the metric and the log: <c>syslog</c>, <c>stdout</c>, <c>webhook</c>.</summary>
    string Name { get; }

    /// <summary>Delivers the events in order or throws; a batch that throws is offered again (at least once).</summary>
    Task SendAsync(IReadOnlyList<AuditEvent> batch, CancellationToken cancellationToken);

    /// <summary>Called on every pass, new events or not: for work that depends on time (a summary at the end of a window).</summary>
    Task TickAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
