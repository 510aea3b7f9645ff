using System.Globalization;
using System.Text.Json;
using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Keyframes;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>
/// A verified recording in windows: the player's segment index and segments (asciinema-player's segmented format), and any
/// window as asciicast. Each answer reads one chunk, hashed against the signed manifest before anything of it is sent.
/// </summary>
public static class RecordingWindowPages
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/sessions/{id}/segments.json", async (string id, HttpContext context, ConsoleServices console) =>
        {
            var (session, opened) = await OpenAsync(id, console, context).ConfigureAwait(false);
            if (opened is null) return NotPlayable(session);
            await ConsoleAudit.RecordAccessAsync(console, context, session, "play", new CheckedRecording(RecordingTrust.Verified, null, null)).ConfigureAwait(false);
            var index = opened.Windows.Index;
            var body = new
            {
                version = 1,
                duration = Seconds(index.Duration),
                term = new { cols = index.Columns, rows = index.Rows },
                markers = index.Markers.Where(m => m.Time <= index.Duration).Select(m => new object[] { Seconds(m.Time), m.Label }),
                segments = index.Windows.Select((w, n) => new { start = Seconds(w.Start), url = $"segments/{n.ToString(CultureInfo.InvariantCulture)}" }),
            };
            return Results.Bytes(JsonSerializer.SerializeToUtf8Bytes(body), "application/json");
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);

        app.MapGet("/sessions/{id}/segments/{n:int}", async (string id, int n, HttpContext context, ConsoleServices console) =>
        {
            var (session, opened) = await OpenAsync(id, console, context).ConfigureAwait(false);
            if (opened is null) return NotPlayable(session);
            if (n < 0 || n >= opened.Windows.Index.Windows.Count) throw new NotFoundException($"Recording {session.Id} has no segment {n}.");
            return await ServeAsync(session, opened, console, context, "application/json", body => opened.Windows.WriteSegmentAsync(body, n, context.RequestAborted))
                .ConfigureAwait(false);
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);

        app.MapGet("/sessions/{id}/window", async (string id, HttpContext context, ConsoleServices console) =>
        {
            var (session, opened) = await OpenAsync(id, console, context).ConfigureAwait(false);
            if (opened is null) return NotPlayable(session);
            string? t = QueryInput.Text(context.Request, "t", 20);
            double seconds = 0;
            if (t is not null && (!double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out seconds) || seconds > 1e9))
                throw new BadInputException($"t: '{t}' is not a number of seconds");
            return await ServeAsync(session, opened, console, context, "application/x-asciicast", async body =>
            {
                long? next = await opened.Windows.WriteCastAsync(body, (long)(seconds * 1_000_000), context.RequestAborted).ConfigureAwait(false);
                if (next is { } n) context.Response.Headers["X-Fumidai-Next"] = Seconds(n).ToString("0.######", CultureInfo.InvariantCulture);
            }).ConfigureAwait(false);
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);
    }

    /// <summary>Writes to a buffer first, so a chunk found altered becomes a clear 409 rather than half an answer.</summary>
    private static async Task<IResult> ServeAsync(SessionRecord session, FastRecordings.Opened opened, ConsoleServices console, HttpContext context, string contentType, Func<Stream, Task> write)
    {
        using var buffer = new MemoryStream();
        try
        {
            await write(buffer).ConfigureAwait(false);
        }
        catch (RecordingTamperedException ex)
        {
            FastRecordings.Cache(console).Forget(opened.Windows.Manifest);
            await console.Store.MarkRecordingCheckAsync(session.Id, false, ex.Message, CancellationToken.None).ConfigureAwait(false);
            return Results.Text($"Recording {session.Id} does not verify ({ex.Message}); it is not given out. Open the session page to read it anyway (audited).",
                "text/plain; charset=utf-8", statusCode: StatusCodes.Status409Conflict);
        }
        return Results.Bytes(buffer.ToArray(), contentType);
    }

    private static async Task<(SessionRecord, FastRecordings.Opened?)> OpenAsync(string id, ConsoleServices console, HttpContext context)
    {
        var session = await RecordingPages.FindAsync(id, console, context).ConfigureAwait(false);
        return (session, await FastRecordings.OpenAsync(session, console, context.RequestAborted).ConfigureAwait(false));
    }

    private static IResult NotPlayable(SessionRecord session) =>
        Results.Text($"Recording {session.Id} is not a finished recording that verifies; open the session page, which names the problem.",
            "text/plain; charset=utf-8", statusCode: StatusCodes.Status409Conflict);

    private static double Seconds(long micros) => micros / 1_000_000.0;
}
