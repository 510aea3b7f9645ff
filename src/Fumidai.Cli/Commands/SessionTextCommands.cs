using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Cli.Recordings;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Storage;
using Fumidai.Recording.Transcripts;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai sessions transcript|commands|search|reindex</c>: what an auditor reads instead of raw escape codes.</summary>
public static class SessionTextCommands
{
    private const int SearchLimit = 1000;

    public static IEnumerable<Command> Create(CliRuntime runtime) => [Transcript(runtime), Commands(runtime), Search(runtime), SessionReindexCommand.Create(runtime)];

    private static Command Transcript(CliRuntime runtime)
    {
        var id = SessionCommands.IdArgument();
        var unverified = RecordingFile.UnverifiedOption();
        var command = new Command("transcript", "Print what the screen showed, line by line, without escape sequences (verified first, audited)")
        {
            id, unverified,
        };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var session = await SessionCommands.RequireSessionAsync(store, result.GetValue(id)!, context.CancellationToken).ConfigureAwait(false);
            await using var recording = await RecordingFile.OpenAsync(context, session, result.GetValue(unverified)).ConfigureAwait(false);
            await SessionCommands.RecordAccessAsync(context, session, "transcript", null, recording).ConfigureAwait(false);
            if (recording.Warning(session.Id) is { } warning) context.Out.WriteLine(warning);
            using var reader = new AsciicastReader(recording.Content!);
            var header = reader.Header;
            foreach (var line in Recording.Transcripts.Transcript.Build(header, reader.ReadEvents()).Lines) context.Out.WriteLine(line.Text);
        }, ct));
        return command;
    }

    private static Command Commands(CliRuntime runtime)
    {
        var id = SessionCommands.IdArgument();
        var json = CliRuntime.JsonOption();
        var unverified = RecordingFile.UnverifiedOption();
        var command = new Command("commands", "List the commands the operator ran, with the time of each (verified first, audited)") { id, json, unverified };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var session = await SessionCommands.RequireSessionAsync(store, result.GetValue(id)!, context.CancellationToken).ConfigureAwait(false);
            // Whatever the kind, a recording that exists is checked: the commands are only as good as the session they came from.
            await using var recording = session.Kind == ChannelKinds.Shell || !string.IsNullOrEmpty(session.Recording)
                ? await RecordingFile.OpenAsync(context, session, result.GetValue(unverified)).ConfigureAwait(false)
                : null;
            await SessionCommands.RecordAccessAsync(context, session, "commands", null, recording).ConfigureAwait(false);
            string? warning = recording?.Warning(session.Id);
            var commands = SessionIndexer.Commands(session, recording?.Content)
                .Select(c => new CommandView(JsonOutput.Time(session.Start + c.Offset), (long)c.Offset.TotalMilliseconds, c.Command, c.Mark, warning is null))
                .ToArray();
            if (result.GetValue(json))
            {
                // The warning goes to stderr so the JSON stays parseable; each entry carries "verified".
                if (warning is not null) context.Error.WriteLine(warning);
                JsonOutput.Write(context.Out, commands);
                return;
            }
            if (warning is not null) context.Out.WriteLine(warning);
            var table = new TableWriter("TIME", "MARK", "COMMAND");
            foreach (var c in commands) table.Add(c.Time, MarkColumn(c.Mark), c.Command);
            table.Write(context.Out);
        }, ct));
        return command;
    }

    private static Command Search(CliRuntime runtime)
    {
        var text = new Argument<string>("TEXT") { Description = "Text to look for in commands (substring, case-insensitive)" };
        var user = new Option<string?>("--user") { Description = "Only this user's sessions", HelpName = "USER" };
        var since = new Option<string?>("--since") { Description = "Only sessions started within this long, e.g. 8h", HelpName = "DURATION" };
        var json = CliRuntime.JsonOption();
        var unverified = RecordingFile.UnverifiedOption();
        var command = new Command("search", "Find commands across all sessions (their recordings verified first)") { text, user, since, json, unverified };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string query = result.GetValue(text)!;
            if (string.IsNullOrWhiteSpace(query) || query.Length > 200) throw CliException.Usage("TEXT must have 1 to 200 characters");
            DateTimeOffset? from = result.GetValue(since) is { } d ? DateTimeOffset.UtcNow - InputValidation.Duration("--since", d) : null;
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var hits = await store.SearchCommandsAsync(query, result.GetValue(user), from, SearchLimit, context.CancellationToken).ConfigureAwait(false);
            var warnings = await SearchVerification.CheckAsync(context, store, hits.Select(h => h.SessionId).Distinct().ToList(),
                result.GetValue(unverified)).ConfigureAwait(false);
            await context.RecordAsync(AuditTypes.RecordingAccess, "sessions.search", result.GetValue(user), null, new Dictionary<string, string>
            {
                ["query"] = query,
                ["hits"] = hits.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["unverified"] = warnings.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }).ConfigureAwait(false);
            var warningOut = result.GetValue(json) ? context.Error : context.Out;
            foreach (var warning in warnings.Values.Distinct()) warningOut.WriteLine(warning);
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, hits.Select(h => new HitView(h.SessionId, h.User, h.Target, h.Login, JsonOutput.Time(h.Time), h.Command, h.Mark,
                    !warnings.ContainsKey(h.SessionId))).ToArray());
                return;
            }
            if (hits.Count == 0)
            {
                string scope = result.GetValue(user) is { } who ? $" in {who}'s sessions" : "";
                string window = result.GetValue(since) is { } within ? $" started within {within}" : "";
                context.Out.WriteLine($"no command matches '{query}'{scope}{window}");
                return;
            }
            var table = new TableWriter("TIME", "USER", "TARGET", "SESSION", "MARK", "COMMAND");
            foreach (var h in hits)
                table.Add(TableWriter.Time(h.Time), h.User, h.Target, h.SessionId + (warnings.ContainsKey(h.SessionId) ? " (!) unverified" : ""), MarkColumn(h.Mark), h.Command);
            table.Write(context.Out);
        }, ct));
        return command;
    }

    /// <summary>"-" for a command shown at a prompt, else why it was read from the keys ("typed without echo"…).</summary>
    private static string MarkColumn(string? mark) => mark ?? "-";

    /// <summary>A command as written by <c>sessions commands --json</c> (mark: null, or why it was read from the keys).</summary>
    public sealed record CommandView(string Time, long OffsetMs, string Command, string? Mark, bool Verified);

    /// <summary>A hit as written by <c>sessions search --json</c>.</summary>
    public sealed record HitView(string Session, string User, string Target, string Login, string Time, string Command, string? Mark, bool Verified);
}
