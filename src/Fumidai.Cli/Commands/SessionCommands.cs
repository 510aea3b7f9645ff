using System.CommandLine;
using System.Globalization;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Cli.Recordings;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai sessions list|show|play|export|kill</c>: recorded sessions; reading a recording is audited.</summary>
public static class SessionCommands
{
    public static Command Create(CliRuntime runtime)
    {
        var command = new Command("sessions", "Recorded sessions: list, show, play, export, transcript, commands, search, reindex, kill");
        command.Subcommands.Add(List(runtime));
        command.Subcommands.Add(Show(runtime));
        command.Subcommands.Add(Play(runtime));
        command.Subcommands.Add(Export(runtime));
        command.Subcommands.Add(SessionKillCommand.Create(runtime));
        foreach (var text in SessionTextCommands.Create(runtime)) command.Subcommands.Add(text);
        return command;
    }

    internal static Argument<string> IdArgument() => new("ID") { Description = "The session's id, or a unique start of it" };

    internal static Task<SessionRecord> RequireSessionAsync(MetadataStore store, string id, CancellationToken cancellationToken) =>
        SessionIds.RequireAsync(store, id, cancellationToken);

    private static Command List(CliRuntime runtime)
    {
        var user = new Option<string?>("--user") { Description = "Only this user's sessions", HelpName = "USER" };
        var target = new Option<string?>("--target") { Description = "Only sessions to this target", HelpName = "TARGET" };
        var since = new Option<string?>("--since") { Description = "Only sessions started within this long, e.g. 8h", HelpName = "DURATION" };
        var json = CliRuntime.JsonOption();
        var command = new Command("list", "List sessions, oldest first") { user, target, since, json };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string? userName = result.GetValue(user) is { } u ? InputValidation.Name("user", u) : null;
            string? targetName = result.GetValue(target) is { } t ? InputValidation.Name("target", t) : null;
            DateTimeOffset? from = result.GetValue(since) is { } s ? DateTimeOffset.UtcNow - InputValidation.Duration("--since", s) : null;
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var sessions = await store.ListSessionsAsync(userName, targetName, from, context.CancellationToken).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, sessions.Select(SessionView.From).ToList());
                return;
            }
            var table = new TableWriter("ID", "USER", "TARGET", "LOGIN", "KIND", "START", "DURATION", "STATUS", "END REASON");
            foreach (var x in sessions)
                table.Add(x.Id, x.User, x.Target, x.Login, x.Kind, TableWriter.Time(x.Start), x.End is { } end ? Format(end - x.Start) : "-", x.Status,
                    x.EndReason ?? "-");
            table.Write(context.Out);
        }, ct));
        return command;
    }

    private static Command Show(CliRuntime runtime)
    {
        var id = IdArgument();
        var json = CliRuntime.JsonOption();
        var command = new Command("show", "Show one session") { id, json };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var view = SessionView.From(await RequireSessionAsync(store, result.GetValue(id)!, context.CancellationToken).ConfigureAwait(false));
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, view);
                return;
            }
            var o = context.Out;
            o.WriteLine($"id:        {view.Id}");
            o.WriteLine($"user:      {view.User}");
            o.WriteLine($"target:    {view.Target} as {view.Login}");
            o.WriteLine($"kind:      {view.Kind}" + (view.Command is null ? "" : $" ({view.Command})"));
            o.WriteLine($"source:    {view.Source}");
            o.WriteLine($"start:     {view.Start}");
            o.WriteLine($"end:       {view.End ?? "-"}");
            o.WriteLine($"status:    {view.Status}" + (view.EndReason is null ? "" : $" ({view.EndReason})"));
            o.WriteLine($"bytes:     {view.BytesIn} in, {view.BytesOut} out");
            o.WriteLine($"recording: {view.Recording ?? "-"}");
        }, ct));
        return command;
    }

    private static Command Play(CliRuntime runtime)
    {
        var id = IdArgument();
        var speed = new Option<double>("--speed") { Description = "Playback speed factor", HelpName = "X", DefaultValueFactory = _ => 1.0 };
        var idleLimit = new Option<double?>("--idle-limit") { Description = "Cut pauses longer than this many seconds", HelpName = "SECONDS" };
        var unverified = RecordingFile.UnverifiedOption();
        var command = new Command("play", "Replay a session's recording in this terminal (verified first, audited)") { id, speed, idleLimit, unverified };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            double factor = result.GetValue(speed);
            if (!double.IsFinite(factor) || factor <= 0 || factor > 1000) throw CliException.Usage($"--speed: {factor} must be above 0 and at most 1000");
            double? limit = result.GetValue(idleLimit);
            if (limit is { } l && (!double.IsFinite(l) || l <= 0)) throw CliException.Usage($"--idle-limit: {l} must be a positive number of seconds");
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var session = await RequireSessionAsync(store, result.GetValue(id)!, context.CancellationToken).ConfigureAwait(false);
            await using var recording = await RecordingFile.OpenAsync(context, session, result.GetValue(unverified)).ConfigureAwait(false);
            // Audited before the first byte is shown: reading is the event, whether or not playback finishes.
            await RecordAccessAsync(context, session, "play", null, recording).ConfigureAwait(false);
            if (recording.Warning(session.Id) is { } warning) context.Out.WriteLine(warning);
            var player = new RecordingPlayer(factor, limit is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
            await player.PlayAsync(recording.Content!, context.RawOut, context.CancellationToken).ConfigureAwait(false);
        }, ct));
        return command;
    }

    private static Command Export(CliRuntime runtime)
    {
        var id = IdArgument();
        var output = new Option<string>("--output", "-o")
        {
            Description = "The .cast file to create (mode 0600; never through a symbolic link)", HelpName = "FILE.cast", Required = true,
        };
        var force = new Option<bool>("--force") { Description = "Replace the file if it exists" };
        var unverified = RecordingFile.UnverifiedOption();
        var command = new Command("export", "Write a session's recording to an asciicast v2 file for asciinema play (verified first, audited)")
        {
            id, output, force, unverified,
        };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            bool overwrite = result.GetValue(force);
            string destination = OutputFiles.Check("--output", result.GetValue(output), overwrite);
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var session = await RequireSessionAsync(store, result.GetValue(id)!, context.CancellationToken).ConfigureAwait(false);
            await using var recording = await RecordingFile.OpenAsync(context, session, result.GetValue(unverified)).ConfigureAwait(false);
            await RecordAccessAsync(context, session, "export", Path.GetFullPath(destination), recording).ConfigureAwait(false);
            if (recording.Warning(session.Id) is { } warning) context.Out.WriteLine(warning);
            int skipped;
            try
            {
                skipped = RecordingExporter.Export(recording.Content!, destination, overwrite);
            }
            catch (InvalidDataException ex)
            {
                throw CliException.Failure($"session {session.Id}: recording {session.Recording} is damaged: {ex.Message}");
            }
            context.Out.WriteLine($"exported session {session.Id} to {destination}");
            if (skipped > 0) context.Error.WriteLine($"fumidai: warning: {skipped} damaged line(s) of the recording were left out");
        }, ct));
        return command;
    }

    internal static Task RecordAccessAsync(CliContext context, SessionRecord session, string how, string? destination = null,
        CheckedRecording? read = null)
    {
        var details = new Dictionary<string, string>
        {
            ["session"] = session.Id,
            ["recording"] = session.Recording ?? "",
            ["session_user"] = session.User,
        };
        if (destination is not null) details["output"] = destination;
        if (read is not null)
            details["verification"] = read.Trust switch
            {
                RecordingTrust.Verified => "verified",
                RecordingTrust.InProgress => "in progress, not yet signed",
                _ => "unverified: " + read.Problem,
            };
        return context.RecordAsync(AuditTypes.RecordingAccess, "sessions." + how, null, session.Target, details);
    }

    private static string Format(TimeSpan duration) =>
        duration.TotalHours >= 1 ? duration.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : duration.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    /// <summary>A session as written by <c>--json</c>: at least id, user, target, login, start, end and status.</summary>
    public sealed record SessionView(string Id, string User, string Target, string Login, string Kind, string? Command, string Source,
        string Start, string? End, string Status, string? EndReason, long BytesIn, long BytesOut, string? Recording)
    {
        /// <summary>The bastion node the session ran on (null for sessions from before nodes were named).</summary>
        public string? Node { get; init; }

        public static SessionView From(SessionRecord s) => new(s.Id, s.User, s.Target, s.Login, s.Kind, s.Command, s.Source,
            JsonOutput.Time(s.Start), JsonOutput.Time(s.End), s.Status, s.EndReason, s.BytesIn, s.BytesOut, s.Recording) { Node = s.Node };
    }
}
