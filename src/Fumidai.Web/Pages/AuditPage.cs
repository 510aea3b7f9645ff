using System.Globalization;
using System.Text;
using System.Text.Json;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>The audit log, newest first, paged and filtered, with a JSON-lines export of the same filter; read-only (nobody edits or deletes an entry).</summary>
public static class AuditPage
{
    public static void Map(WebApplication app)
    {
        AuditExport.Map(app);
        app.MapGet("/audit", async (HttpContext context, ConsoleServices console) =>
        {
            var request = context.Request;
            var filter = AuditExport.Filter.Read(request);
            var (type, user, from, to) = filter;
            int page = QueryInput.Number(request, "page", 1, 1, 1_000_000);
            int size = QueryInput.Number(request, "size", 100, 1, QueryInput.MaxPageSize);
            var events = await console.Store.QueryAuditPageAsync(type, user, from, to, page, size, context.RequestAborted).ConfigureAwait(false);
            var html = new StringBuilder("<form method=\"get\" action=\"/audit\" class=\"filters\">")
                .Append("<label>Type <input name=\"type\" value=\"").Append(Html.E(type)).Append("\"></label>")
                .Append("<label>User <input name=\"user\" value=\"").Append(Html.E(user)).Append("\"></label>")
                .Append("<label>From (UTC) <input name=\"from\" type=\"datetime-local\" step=\"1\" value=\"").Append(Field(from)).Append("\"></label>")
                .Append("<label>To (UTC) <input name=\"to\" type=\"datetime-local\" step=\"1\" value=\"").Append(Field(to)).Append("\"></label>")
                .Append("<button type=\"submit\">Filter</button></form>")
                .Append("<p><a id=\"export\" href=\"/audit/export").Append(Html.E(filter.Query())).Append("\">Export these events as JSON lines</a></p>")
                .Append(CultureInfo.InvariantCulture, $"<p id=\"count\">{events.Total} event(s), page {page}</p>")
                .Append("<table id=\"audit\"><thead><tr><th>#</th><th>Time</th><th>Type</th><th>Outcome</th><th>User</th><th>Source</th><th>Target</th><th>Details</th></tr></thead><tbody>");
            foreach (var e in events.Items)
                html.Append("<tr><td>").Append(e.Sequence.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(Html.Time(e.Time)).Append("</td><td>")
                    .Append(Html.E(e.Type)).Append("</td><td>").Append(Html.E(e.Outcome)).Append("</td><td>").Append(Html.E(e.User)).Append("</td><td>")
                    .Append(Html.E(e.Source)).Append("</td><td>").Append(Html.E(e.Target)).Append("</td><td>")
                    .Append(Html.E(string.Join(' ', e.Details.Select(d => d.Key + "=" + d.Value)))).Append("</td></tr>");
            html.Append("</tbody></table>");
            if (events.Total > page * size)
            {
                string query = filter.Query();
                html.Append("<nav class=\"pager\"><a id=\"next\" href=\"/audit").Append(Html.E(query.Length == 0 ? "?" : query + "&"))
                    .Append("page=").Append((page + 1).ToString(CultureInfo.InvariantCulture))
                    .Append("&amp;size=").Append(size.ToString(CultureInfo.InvariantCulture)).Append("\">Next</a></nav>");
            }
            return Html.Page("Audit log", html.ToString(), ConsoleUser.From(context.User), context);
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);
    }

    private static string Field(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) ?? "";
}
