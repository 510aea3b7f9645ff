using System.Globalization;
using System.Text;
using Fumidai.Gateway.Audit;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>Typed commands across every session; each hit opens the player at its time. Searches are audited.</summary>
public static class SearchPage
{
    private const int Limit = 500;

    public static void Map(WebApplication app) =>
        app.MapGet("/search", async (HttpContext context, ConsoleServices console) =>
        {
            string? text = QueryInput.Text(context.Request, "q");
            string? user = QueryInput.Name(context.Request, "user");
            var from = QueryInput.Time(context.Request, "from");
            var html = new StringBuilder("<form method=\"get\" action=\"/search\" class=\"filters\">")
                .Append("<label>Command contains <input name=\"q\" id=\"q\" required maxlength=\"200\" value=\"").Append(Html.E(text)).Append("\"></label>")
                .Append("<label>User <input name=\"user\" value=\"").Append(Html.E(user)).Append("\"></label>")
                .Append("<label>From (UTC) <input name=\"from\" type=\"datetime-local\"></label><button type=\"submit\" id=\"search\">Search</button></form>");
            if (text is not null)
            {
                var hits = await console.Store.SearchCommandsAsync(text, user, from, Limit, context.RequestAborted).ConfigureAwait(false);
                await ConsoleAudit.RecordAsync(console, context, AuditTypes.RecordingAccess, null, new Dictionary<string, string>
                {
                    ["action"] = "web.search",
                    ["query"] = text,
                    ["hits"] = hits.Count.ToString(CultureInfo.InvariantCulture),
                }).ConfigureAwait(false);
                html.Append("<table id=\"hits\"><thead><tr><th>Time</th><th>User</th><th>Target</th><th>Command</th></tr></thead><tbody>");
                foreach (var hit in hits)
                    html.Append("<tr><td><a href=\"/sessions/").Append(Html.E(hit.SessionId)).Append("?at=")
                        .Append(hit.Time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)).Append("\">").Append(Html.Time(hit.Time))
                        .Append("</a></td><td>").Append(Html.E(hit.User)).Append("</td><td>").Append(Html.E(hit.Target)).Append("</td><td><code>")
                        .Append(Html.E(hit.Command)).Append("</code></td></tr>");
                html.Append("</tbody></table>");
            }
            return Html.Page("Command search", html.ToString(), ConsoleUser.From(context.User), context);
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);
}
