using Fumidai.Gateway.Sessions;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Fumidai.Web.Pages;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Cluster;

/// <summary>
/// The live stream of a session running on another node: that node's cluster stream, relayed to the browser byte for byte.
/// The relay reads only as fast as the browser takes it, so a slow browser slows the owning node's writes, whose viewer
/// then drops behind to the next redraw as it does for a browser of its own; nothing buffers without bound.
/// </summary>
public static class LiveRelay
{
    /// <summary>Relays the session's stream, the viewer's role checked and the watch audited by the caller's rules.</summary>
    public static async Task<IResult> RelayAsync(HttpContext context, ConsoleServices console, ClusterClient cluster, SessionRecord session,
        CancellationToken stop)
    {
        var user = ConsoleUser.From(context.User);
        var node = await cluster.FindAsync(session.Node!, context.RequestAborted).ConfigureAwait(false);
        if (node.Problem is not null)
            return Html.Error(context, StatusCodes.Status503ServiceUnavailable, $"Session {session.Id} runs on another node, and {node.Problem}; open its recording instead.", user);
        await ConsoleAudit.RecordAccessAsync(console, context, session, "watch", null).ConfigureAwait(false);
        HttpResponseMessage upstream;
        try
        {
            upstream = await cluster.OpenStreamAsync(node, session.Id, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            return Html.Error(context, StatusCodes.Status502BadGateway, $"Node {node.Name}, which runs session {session.Id}, did not answer: {ex.Message}", user);
        }
        using (upstream)
        {
            if (!upstream.IsSuccessStatusCode)
                return Html.Error(context, StatusCodes.Status404NotFound, $"Session {session.Id} is no longer running on node {node.Name}; open its recording instead.", user);
            var response = context.Response;
            response.ContentType = "text/event-stream; charset=utf-8";
            response.Headers["X-Accel-Buffering"] = "no";
            byte[] buffer = new byte[16 * 1024];
            try
            {
                await using var body = await upstream.Content.ReadAsStreamAsync(stop).ConfigureAwait(false);
                int read;
                while ((read = await body.ReadAsync(buffer, stop).ConfigureAwait(false)) > 0)
                {
                    await response.Body.WriteAsync(buffer.AsMemory(0, read), stop).ConfigureAwait(false);
                    await response.Body.FlushAsync(stop).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
            {
                // The browser left, her time is up, or the owning node dropped the stream: the browser reconnects to a fresh screen.
            }
            return Results.Empty;
        }
    }
}
