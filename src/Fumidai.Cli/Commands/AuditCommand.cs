using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai audit [--since DURATION] [--json]</c>: the chained audit log, oldest first.</summary>
public static class AuditCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var since = new Option<string?>("--since") { Description = "Only events within this long, e.g. 24h", HelpName = "DURATION" };
        var json = CliRuntime.JsonOption();
        var command = new Command("audit", "Show audit events (UTC), oldest first") { since, json };
        command.Subcommands.Add(AuditSummaryCommand.Create(runtime));
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            DateTimeOffset? from = result.GetValue(since) is { } s ? DateTimeOffset.UtcNow - InputValidation.Duration("--since", s) : null;
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var events = await store.ListAuditAsync(from, context.CancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, events.Select(e => new AuditView(e.Sequence, JsonOutput.Time(e.Time), e.Type, e.User, e.Outcome, e.Source,
                    e.Target, e.Details, e.Hash, e.PreviousHash)).ToList());
                return;
            }
            var table = new TableWriter("TIME", "TYPE", "OUTCOME", "USER", "SOURCE", "TARGET", "DETAILS");
            foreach (var e in events)
                table.Add(TableWriter.Time(e.Time), e.Type, e.Outcome, e.User, e.Source, e.Target,
                    string.Join(' ', e.Details.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}")));
            table.Write(context.Out);
        }, ct));
        return command;
    }

    /// <summary>An audit event as written by <c>--json</c>, with its place in the hash chain.</summary>
    public sealed record AuditView(long Seq, string Time, string Type, string? User, string Outcome, string? Source, string? Target,
        IReadOnlyDictionary<string, string> Details, string Hash, string PrevHash);
}
