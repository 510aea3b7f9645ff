using System.Globalization;
using System.Text;
using System.Text.Json;
using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Asciicast;
using Fumidai.Recording.Keyframes;
using Fumidai.Recording.Storage;
using Fumidai.Recording.Transcripts;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>
/// The player page and the downloads (<c>.cast</c>, transcript, commands). Every one verifies the recording first; one that does not
/// verify is refused with the bad piece named until the reader confirms (<c>?unverified=1</c>), and every read is audited.
/// </summary>
public static class RecordingPages
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/sessions/{id}", async (string id, HttpContext context, ConsoleServices console) =>
        {
            var session = await FindAsync(id, console, context).ConfigureAwait(false);
            bool confirmed = context.Request.Query["unverified"] == "1";
            double? at = StartAt(context.Request, session);
            if (await FastRecordings.OpenAsync(session, console, context.RequestAborted).ConfigureAwait(false) is { } fast)
            {
                var verified = new CheckedRecording(RecordingTrust.Verified, null, null);
                await console.Store.MarkRecordingCheckAsync(session.Id, true, null, CancellationToken.None).ConfigureAwait(false);
                await ConsoleAudit.RecordAccessAsync(console, context, session, "view", verified).ConfigureAwait(false);
                string? poster = await PosterAsync(fast.Windows, at, context.RequestAborted).ConfigureAwait(false);
                return Html.Page($"Session {session.Id}", PlayerPage.Body(session, verified, fast.Commands, confirmed, at, $"/sessions/{session.Id}/segments.json", poster),
                    ConsoleUser.From(context.User), context, scripts: PlayerPage.Preloads(session, fast.Windows.Index, at) + PlayerScripts);
            }
            await using var read = await OpenAsync(session, console, confirmed, context).ConfigureAwait(false);
            await ConsoleAudit.RecordAccessAsync(console, context, session, "view", read).ConfigureAwait(false);
            var commands = read?.Content is { } content ? SessionIndexer.Commands(session, content) : SessionIndexer.Commands(session, (Stream?)null);
            return Html.Page($"Session {session.Id}", PlayerPage.Body(session, read, commands, confirmed, at), ConsoleUser.From(context.User), context,
                scripts: PlayerScripts);
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);

        app.MapGet("/sessions/{id}/cast", async (string id, HttpContext context, ConsoleServices console) =>
        {
            var session = await FindAsync(id, console, context).ConfigureAwait(false);
            bool download = context.Request.Query["download"] == "1";
            var (read, refusal) = await ReadableAsync(session, console, context).ConfigureAwait(false);
            if (read is null) return refusal!;
            await ConsoleAudit.RecordAccessAsync(console, context, session, download ? "download.cast" : "play", read).ConfigureAwait(false);
            // The stream is a temporary file deleted when the result has written it.
            context.Response.RegisterForDisposeAsync(read);
            return Results.Stream(read.Content!, "application/x-asciicast", download ? $"session-{session.Id}.cast" : null);
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);

        app.MapGet("/sessions/{id}/transcript", async (string id, HttpContext context, ConsoleServices console) =>
        {
            var session = await FindAsync(id, console, context).ConfigureAwait(false);
            var (read, refusal) = await ReadableAsync(session, console, context).ConfigureAwait(false);
            if (read is null) return refusal!;
            await using var _ = read;
            await ConsoleAudit.RecordAccessAsync(console, context, session, "download.transcript", read).ConfigureAwait(false);
            var text = new StringBuilder();
            if (read.Warning(session.Id) is { } warning) text.AppendLine(warning);
            using (var reader = new AsciicastReader(read.Content!))
            {
                foreach (var line in Transcript.Build(reader.Header, reader.ReadEvents()).Lines) text.AppendLine(line.Text);
            }
            return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/plain; charset=utf-8", $"session-{session.Id}.txt");
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);

        app.MapGet("/sessions/{id}/commands.json", async (string id, HttpContext context, ConsoleServices console) =>
        {
            var session = await FindAsync(id, console, context).ConfigureAwait(false);
            var (read, refusal) = session.Recording is null ? (null, null) : await ReadableAsync(session, console, context).ConfigureAwait(false);
            if (refusal is not null) return refusal;
            await using var _ = read;
            await ConsoleAudit.RecordAccessAsync(console, context, session, "download.commands", read).ConfigureAwait(false);
            var commands = SessionIndexer.Commands(session, read?.Content).Select(c => new
            {
                time = (session.Start + c.Offset).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                offsetMs = (long)c.Offset.TotalMilliseconds,
                command = c.Command,
                mark = c.Mark,
                verified = read is null || read.Trust == RecordingTrust.Verified,
            });
            return Results.File(JsonSerializer.SerializeToUtf8Bytes(commands), "application/json", $"session-{session.Id}-commands.json");
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);
    }

    private const string PlayerScripts = "<link rel=\"stylesheet\" href=\"/assets/vendor/asciinema-player.css\">"
        + "<script src=\"/assets/vendor/asciinema-player.min.js\" defer></script><script src=\"/assets/player.js\" defer></script>";

    /// <summary>The session named in the path, or a clear 400 (not an id) or 404.</summary>
    internal static async Task<SessionRecord> FindAsync(string id, ConsoleServices console, HttpContext context)
    {
        if (!QueryInput.IsSessionId(id)) throw new BadInputException("the session id may hold only letters, digits, '-' and '_' (at most 128)");
        return await console.Store.GetSessionAsync(id, context.RequestAborted).ConfigureAwait(false)
            ?? throw new NotFoundException($"There is no session '{id}'.");
    }

    /// <summary>The recording as read and verified; its content is null when it did not verify and reading it anyway was not confirmed.</summary>
    private static async Task<CheckedRecording?> OpenAsync(SessionRecord session, ConsoleServices console, bool readUnverified, HttpContext context)
    {
        if (string.IsNullOrEmpty(session.Recording)) return null;
        CheckedRecording read;
        try
        {
            read = await SessionRecordings.OpenCheckedAsync(session, console.Recordings, console.Data.RecordingsPath, console.AuditKey, readUnverified,
                context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or ObjectStoreException)
        {
            read = new CheckedRecording(RecordingTrust.Unverified, "recording unreadable: " + ex.Message, null);
        }
        if (session.Status != SessionStatus.Running && read.Trust != RecordingTrust.InProgress)
            await console.Store.MarkRecordingCheckAsync(session.Id, read.Trust == RecordingTrust.Verified, read.Problem, CancellationToken.None).ConfigureAwait(false);
        return read;
    }

    /// <summary>For downloads: the recording when it verified (or reading it unverified was confirmed); else null, and the refusal page.</summary>
    private static async Task<(CheckedRecording? Read, IResult? Refusal)> ReadableAsync(SessionRecord session, ConsoleServices console, HttpContext context)
    {
        if (string.IsNullOrEmpty(session.Recording)) throw new NotFoundException($"Session {session.Id} has no recording.");
        var read = await OpenAsync(session, console, context.Request.Query["unverified"] == "1", context).ConfigureAwait(false);
        if (read?.Content is not null) return (read, null);
        string problem = read?.Problem ?? "it does not verify";
        if (read is not null) await read.DisposeAsync().ConfigureAwait(false);
        return (null, Html.Error(context, StatusCodes.Status409Conflict,
            $"Recording {session.Id} does not verify ({problem}); it is not given out. Open the session page to read it anyway (audited).",
            ConsoleUser.From(context.User)));
    }

    /// <summary>Where the player starts: <c>?t=SECONDS</c>, or <c>?at=UNIX-MS</c> (a search hit's time).</summary>
    /// <summary>
    /// The screen at the page's time drawn by the server, shown until the player has drawn it (its scripts take most of a second
    /// to start on a slow machine); null when the chunk cannot be read now, and the player then reports why as it would anyway.
    /// </summary>
    private static async Task<string?> PosterAsync(RecordingWindows windows, double? at, CancellationToken cancellationToken)
    {
        long micros = (long)Math.Clamp((at ?? 0) * 1_000_000, 0, windows.Index.Duration);
        try
        {
            return ScreenPoster.Draw(await windows.ScreenAtAsync(micros, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is RecordingTamperedException or KeyframeMissingException)
        {
            return null;
        }
    }

    private static double? StartAt(HttpRequest request, SessionRecord session)
    {
        if (QueryInput.Text(request, "t", 20) is { } t)
        {
            if (!double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) || seconds > 1e9)
                throw new BadInputException($"t: '{t}' is not a number of seconds");
            return seconds;
        }
        if (QueryInput.Text(request, "at", 20) is { } at)
        {
            if (!long.TryParse(at, NumberStyles.None, CultureInfo.InvariantCulture, out long ms) || ms > 253402300799999)
                throw new BadInputException($"at: '{at}' is not a time in Unix milliseconds");
            return Math.Max(0, (DateTimeOffset.FromUnixTimeMilliseconds(ms) - session.Start).TotalSeconds);
        }
        return null;
    }
}

/// <summary>What a page names does not exist: answered 404 with this message.</summary>
public sealed class NotFoundException(string message) : Exception(message);
