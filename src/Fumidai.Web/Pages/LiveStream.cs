using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Fumidai.Gateway.Sessions;
using Fumidai.Recording.Recorder;
using Fumidai.Web.Auth;
using Fumidai.Web.Cluster;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Fumidai.Web.Pages;

/// <summary>
/// A running session's screen as server-sent events, in the form asciinema-player's <c>eventsource</c> driver reads: first the
/// screen as it is (a reset with its size and the text that redraws it), then each output and resize as recorded, then <c>done</c>.
/// Every stream opened is audited as a watch.
/// </summary>
/// <remarks>
/// A stream lasts at most half the idle sign-out time: the browser then opens a new one, which checks the sign-in again (and counts
/// as activity, since she is watching). A viewer too slow for the session is dropped and reconnects to a fresh screen.
/// </remarks>
public static class LiveStream
{
    public static void Map(WebApplication app) =>
        app.MapGet("/sessions/{id}/stream", async (string id, HttpContext context, ConsoleServices console, IHostApplicationLifetime lifetime) =>
        {
            var session = await RecordingPages.FindAsync(id, console, context).ConfigureAwait(false);
            var screen = session.Status == SessionStatus.Running ? console.LiveScreens.Find(session.Id) : null;
            bool elsewhere = screen is null && session.Status == SessionStatus.Running && console.Cluster?.IsOther(session.Node) == true;
            if (screen is null && !elsewhere)
                return Html.Error(context, StatusCodes.Status404NotFound, $"Session {session.Id} is not running on this node; open its recording instead.",
                    ConsoleUser.From(context.User));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            // Half the idle time, so the browser's next request comes while the sign-in is still fresh.
            stop.CancelAfter(console.IdleTimeout / 2);
            if (screen is null) return await LiveRelay.RelayAsync(context, console, console.Cluster!, session, stop.Token).ConfigureAwait(false);
            await ConsoleAudit.RecordAccessAsync(console, context, session, "watch", null).ConfigureAwait(false);
            await PumpAsync(context.Response, screen, stop.Token).ConfigureAwait(false);
            return Results.Empty;
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);

    /// <summary>
    /// Writes the screen's stream as server-sent events until it ends, the viewer is too slow (the response ends and the
    /// browser comes back for a fresh screen), or <paramref name="stop"/>. What a console and a node's cluster listener both serve.
    /// </summary>
    public static async Task PumpAsync(HttpResponse response, LiveScreen screen, CancellationToken stop)
    {
        using var viewer = screen.Watch();
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            await WriteAsync(response, "retry: 1000\n\n", stop).ConfigureAwait(false);
            while (await viewer.Frames.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (viewer.Frames.TryRead(out var frame)) await WriteAsync(response, Event(frame), stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The viewer left, her time is up, or the server stops: she reconnects or is done.
        }
        catch (ChannelClosedException)
        {
            // Too slow for the session: the response ends and the browser comes back for a fresh screen.
        }
        catch (ViewerTooSlowException)
        {
        }
    }

    /// <summary>One frame as an event: JSON on one line (control characters escaped), so no frame can break the event framing.</summary>
    internal static string Event(LiveFrame frame)
    {
        double at = Math.Round(frame.Time.TotalSeconds, 3);
        return frame.Kind switch
        {
            LiveFrameKind.Screen => "data: " + JsonSerializer.Serialize(new { cols = frame.Columns, rows = frame.Rows, time = at, init = frame.Text }) + "\n\n",
            LiveFrameKind.Output => "data: " + JsonSerializer.Serialize(new object[] { at, "o", frame.Text }) + "\n\n",
            LiveFrameKind.Resize => "data: " + JsonSerializer.Serialize(new object[] { at, "r",
                frame.Columns.ToString(CultureInfo.InvariantCulture) + "x" + frame.Rows.ToString(CultureInfo.InvariantCulture) }) + "\n\n",
            _ => "event: done\ndata: end\n\n",
        };
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
