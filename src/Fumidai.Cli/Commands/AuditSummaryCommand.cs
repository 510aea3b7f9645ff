using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Gateway.Audit.Review;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai audit summary [--since DURATION] [--json]</c>: the daily review of logins, failures, sessions and what stands out.</summary>
public static class AuditSummaryCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var since = new Option<string>("--since") { Description = "The period to review, back from now (default 24h)", HelpName = "DURATION", DefaultValueFactory = _ => "24h" };
        var json = CliRuntime.JsonOption();
        var command = new Command("summary", "Daily review: logins by user and source, failures, lockouts, sessions by target, "
            + "logins at unusual hours (Review:WorkingHours), watched commands (Review:WatchCommands), recordings that did not verify") { since, json };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var until = DateTimeOffset.UtcNow;
            var from = until - InputValidation.Duration("--since", result.GetValue(since)!);
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var summary = await AuditSummary.BuildAsync(store, context.Options.Review, from, until, context.CancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, summary);
                return;
            }
            Write(context.Out, summary);
        }, ct));
        return command;
    }

    private static void Write(TextWriter output, AuditSummary s)
    {
        output.WriteLine($"Audit summary {TableWriter.Time(s.Since)} to {TableWriter.Time(s.Until)}");
        Section(output, $"Logins ({s.Logins.Sum(l => l.Count)})", s.Logins.Count, () =>
        {
            var t = new TableWriter("USER", "SOURCE", "LOGINS");
            foreach (var l in s.Logins) t.Add(l.User, l.Source, Number(l.Count));
            return t;
        });
        Section(output, $"Failures ({s.Failures.Sum(f => f.Count)})", s.Failures.Count, () =>
        {
            var t = new TableWriter("TYPE", "USER", "SOURCE", "COUNT");
            foreach (var f in s.Failures) t.Add(f.Type, f.User, f.Source, Number(f.Count));
            return t;
        });
        Section(output, $"Lockouts ({s.Lockouts.Count})", s.Lockouts.Count, () =>
        {
            var t = new TableWriter("TIME", "USER", "SOURCE", "FAILURES");
            foreach (var l in s.Lockouts) t.Add(TableWriter.Time(l.Time), l.User, l.Source, l.Failures);
            return t;
        });
        Section(output, $"Sessions by target ({s.SessionsByTarget.Sum(t => t.Sessions)})", s.SessionsByTarget.Count, () =>
        {
            var t = new TableWriter("TARGET", "SESSIONS", "FAILED", "USERS");
            foreach (var g in s.SessionsByTarget) t.Add(g.Target, Number(g.Sessions), Number(g.Failed), string.Join(',', g.Users));
            return t;
        });
        Section(output, $"Unusual hours ({s.UnusualHours.Count})", s.UnusualHours.Count, () =>
        {
            var t = new TableWriter("TIME", "LOCAL", "TYPE", "USER", "SOURCE", "TARGET");
            foreach (var u in s.UnusualHours) t.Add(TableWriter.Time(u.Time), u.LocalTime, u.Type, u.User, u.Source, u.Target);
            return t;
        });
        Section(output, $"Watched commands ({s.WatchedCommands.Count})", s.WatchedCommands.Count, () =>
        {
            var t = new TableWriter("TIME", "USER", "TARGET", "SESSION", "MATCHES", "COMMAND");
            foreach (var c in s.WatchedCommands) t.Add(TableWriter.Time(c.Time), c.User, c.Target, c.Session, string.Join(',', c.Patterns), c.Command);
            return t;
        });
        Section(output, $"Recordings not verified ({s.UnverifiedRecordings.Count}; {s.UncheckedRecordings} never checked)", s.UnverifiedRecordings.Count, () =>
        {
            var t = new TableWriter("SESSION", "USER", "TARGET", "PROBLEM");
            foreach (var r in s.UnverifiedRecordings) t.Add(r.Session, r.User, r.Target, r.Problem);
            return t;
        });
    }

    private static string Number(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Section(TextWriter output, string title, int rows, Func<TableWriter> table)
    {
        output.WriteLine();
        output.WriteLine(title);
        if (rows == 0) output.WriteLine("  none");
        else table().Write(output);
    }
}
