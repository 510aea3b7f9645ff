using System.Text;
using Fumidai.Gateway.Sessions;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>The live view of a running session: the player fed by the session's stream (<see cref="LiveStream"/>), for auditors and admins.</summary>
public static class LiveViewPage
{
    public static void Map(WebApplication app) =>
        app.MapGet("/sessions/{id}/watch", async (string id, HttpContext context, ConsoleServices console) =>
        {
            var session = await RecordingPages.FindAsync(id, console, context).ConfigureAwait(false);
            var user = ConsoleUser.From(context.User);
            if (session.Status != SessionStatus.Running) return Results.Redirect($"/sessions/{Uri.EscapeDataString(session.Id)}");
            var html = new StringBuilder("<p class=\"facts\">").Append(Html.E(session.User)).Append(" on ").Append(Html.E(session.Target)).Append(" as ")
                .Append(Html.E(session.Login)).Append(", since ").Append(Html.Time(session.Start)).Append(". <a href=\"/sessions/").Append(Html.E(session.Id))
                .Append("\">The recording so far</a></p>");
            if (console.LiveScreens.Find(session.Id) is null)
            {
                // Another node's session is relayed from its cluster listener when it has one and is alive.
                var node = console.Cluster?.IsOther(session.Node) == true
                    ? await console.Cluster.FindAsync(session.Node!, context.RequestAborted).ConfigureAwait(false)
                    : null;
                if (node?.Problem is not null || node is null)
                {
                    html.Append("<p class=\"warning\" id=\"elsewhere\">This session runs on another bastion node")
                        .Append(node is null ? " (or its console runs alone)" : ", and " + Html.E(node.Problem!))
                        .Append("; watch it on that node's console, or open the recording so far.</p>");
                    return Html.Page($"Live: session {session.Id}", html.ToString(), user, context);
                }
                html.Append("<p class=\"info\" id=\"relayed\">Running on node ").Append(Html.E(node.Name)).Append(", relayed through this console.</p>");
            }
            html.Append("<div id=\"live-player\" data-stream=\"/sessions/").Append(Html.E(session.Id)).Append("/stream\"></div>")
                .Append("<p class=\"info\">What the operator's terminal shows, as it happens. Watching is audited.</p>");
            return Html.Page($"Live: session {session.Id}", html.ToString(), user, context,
                scripts: "<link rel=\"stylesheet\" href=\"/assets/vendor/asciinema-player.css\">"
                    + "<script src=\"/assets/vendor/asciinema-player.min.js\" defer></script><script src=\"/assets/live.js\" defer></script>");
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);
}
