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

    public static IEnumerable<Command> Create(CliRuntime runtime) => [Transcript(runtime), Commands(runtime), Search(runtime), Reindex(runtime)];

    private static Command Transcript(CliRuntime runtime)
    {
        var id = SessionCommands.IdArgument();
        var command = new Command("transcript", "Print what the screen showed, line by line, without escape sequences (audited)") { id };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var session = await SessionCommands.RequireSessionAsync(store, result.GetValue(id)!, context.CancellationToken).ConfigureAwait(false);
            await using var recording = await RecordingFile.OpenAsync(context, session).ConfigureAwait(false);
            await SessionCommands.RecordAccessAsync(context, session, "transcript").ConfigureAwait(false);
            using var reader = new AsciicastReader(recording);
            var header = reader.Header;
            foreach (var line in Recording.Transcripts.Transcript.Build(header, reader.ReadEvents()).Lines) context.Out.WriteLine(line.Text);
        }, ct));
        return command;
    }

    private static Command Commands(CliRuntime runtime)
    {
        var id = SessionCommands.IdArgument();
        var json = CliRuntime.JsonOption();
        var command = new Command("commands", "List the commands the operator ran, with the time of each (audited)") { id, json };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var session = await SessionCommands.RequireSessionAsync(store, result.GetValue(id)!, context.CancellationToken).ConfigureAwait(false);
            // An exec without a recording still lists its command line; a shell without one is an error, as before.
            bool read = SessionIndexer.NeedsRecording(session) && (session.Kind == ChannelKinds.Shell || session.Recording is not null);
            await using var recording = read ? await RecordingFile.OpenAsync(context, session).ConfigureAwait(false) : null;
            await SessionCommands.RecordAccessAsync(context, session, "commands").ConfigureAwait(false);
            var commands = SessionIndexer.Commands(session, recording)
                .Select(c => new CommandView(JsonOutput.Time(session.Start + c.Offset), (long)c.Offset.TotalMilliseconds, c.Command, c.Mark))
                .ToArray();
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, commands);
                return;
            }
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
        var command = new Command("search", "Find commands across all sessions") { text, user, since, json };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string query = result.GetValue(text)!;
            if (string.IsNullOrWhiteSpace(query) || query.Length > 200) throw CliException.Usage("TEXT must have 1 to 200 characters");
            DateTimeOffset? from = result.GetValue(since) is { } d ? DateTimeOffset.UtcNow - InputValidation.Duration("--since", d) : null;
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var hits = await store.SearchCommandsAsync(query, result.GetValue(user), from, SearchLimit, context.CancellationToken).ConfigureAwait(false);
            await context.RecordAsync(AuditTypes.RecordingAccess, "sessions.search", result.GetValue(user), null,
                new Dictionary<string, string> { ["query"] = query, ["hits"] = hits.Count.ToString() }).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, hits.Select(h => new HitView(h.SessionId, h.User, h.Target, h.Login, JsonOutput.Time(h.Time), h.Command, h.Mark))
                    .ToArray());
                return;
            }
            var table = new TableWriter("TIME", "USER", "TARGET", "SESSION", "MARK", "COMMAND");
            foreach (var h in hits) table.Add(TableWriter.Time(h.Time), h.User, h.Target, h.SessionId, MarkColumn(h.Mark), h.Command);
            table.Write(context.Out);
        }, ct));
        return command;
    }

    private static Command Reindex(CliRuntime runtime)
    {
        var command = new Command("reindex", "Rebuild the command search index from every recording");
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var sessions = await store.ListSessionsAsync(null, null, null, context.CancellationToken).ConfigureAwait(false);
            int done = 0, failed = 0;
            foreach (var session in sessions)
            {
                try
                {
                    await using (var recording = SessionIndexer.NeedsRecording(session) && session.Recording is not null
                        ? await SessionRecordings.OpenAsync(session, context.RecordingStore(), context.Data.RecordingsPath, context.CancellationToken)
                            .ConfigureAwait(false)
                        : null)
                        await SessionIndexer.IndexAsync(store, session, recording, context.CancellationToken).ConfigureAwait(false);
                    done++;
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException or ObjectStoreException)
                {
                    failed++;
                    context.Error.WriteLine($"fumidai: warning: session {session.Id}: {ex.Message}");
                }
                if ((done + failed) % 100 == 0) context.Error.WriteLine($"reindexed {done + failed}/{sessions.Count}");
            }
            context.Out.WriteLine($"reindexed {done} session(s)" + (failed > 0 ? $", {failed} failed" : ""));
            if (failed > 0) throw CliException.Failure($"{failed} session(s) could not be indexed");
        }, ct));
        return command;
    }

    /// <summary>"-" for a command shown at a prompt, else why it was read from the keys ("typed without echo"…).</summary>
    private static string MarkColumn(string? mark) => mark ?? "-";

    /// <summary>A command as written by <c>sessions commands --json</c> (mark: null, or why it was read from the keys).</summary>
    public sealed record CommandView(string Time, long OffsetMs, string Command, string? Mark);

    /// <summary>A hit as written by <c>sessions search --json</c>.</summary>
    public sealed record HitView(string Session, string User, string Target, string Login, string Time, string Command, string? Mark);
}
