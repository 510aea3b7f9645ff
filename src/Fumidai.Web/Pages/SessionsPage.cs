using System.Globalization;
using System.Text;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>The session list: paged, sorted and filtered by the database, with end reason, bytes and verification state.</summary>
public static class SessionsPage
{
    private static readonly string[] Statuses = [SessionStatus.Running, SessionStatus.Closed, SessionStatus.Interrupted, SessionStatus.Failed];
    private static readonly string[] Directions = ["asc", "desc"];

    public static void Map(WebApplication app) =>
        app.MapGet("/sessions", async (HttpContext context, ConsoleServices console) =>
        {
            var request = context.Request;
            var query = new SessionPageQuery
            {
                User = QueryInput.Name(request, "user"),
                Target = QueryInput.Name(request, "target"),
                From = QueryInput.Time(request, "from"),
                To = QueryInput.Time(request, "to"),
                Status = QueryInput.OneOf(request, "status", Statuses),
                Text = QueryInput.Text(request, "q"),
                Sort = QueryInput.OneOf(request, "sort", SessionPageQuery.SortColumns.Keys.ToArray()) ?? "start",
                Descending = QueryInput.OneOf(request, "dir", Directions) != "asc",
                Page = QueryInput.Number(request, "page", 1, 1, 1_000_000),
                PageSize = QueryInput.Number(request, "size", 50, 1, QueryInput.MaxPageSize),
            };
            var page = await console.Store.QuerySessionPageAsync(query, context.RequestAborted).ConfigureAwait(false);
            return Html.Page("Sessions", Filters(query) + Table(query, page) + Pager(query, page.Total, context.Request), ConsoleUser.From(context.User), context);
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);

    private static string Filters(SessionPageQuery q)
    {
        string Option(string value) => $"<option value=\"{value}\"{(q.Status == value ? " selected" : "")}>{value}</option>";
        return "<form method=\"get\" action=\"/sessions\" class=\"filters\" id=\"filters\">"
            + $"<label>User <input name=\"user\" value=\"{Html.E(q.User)}\"></label>"
            + $"<label>Target <input name=\"target\" value=\"{Html.E(q.Target)}\"></label>"
            + $"<label>From (UTC) <input name=\"from\" type=\"datetime-local\" value=\"{Field(q.From)}\"></label>"
            + $"<label>To (UTC) <input name=\"to\" type=\"datetime-local\" value=\"{Field(q.To)}\"></label>"
            + $"<label>Status <select name=\"status\"><option value=\"\">any</option>{string.Concat(Statuses.Select(Option))}</select></label>"
            + $"<label>Text <input name=\"q\" value=\"{Html.E(q.Text)}\" placeholder=\"id or command\"></label>"
            + "<button type=\"submit\" id=\"filter\">Filter</button></form>";
    }

    private static string Field(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture) ?? "";

    private static string Table(SessionPageQuery q, Page<SessionListEntry> page)
    {
        var html = new StringBuilder($"<p class=\"count\" id=\"count\">{page.Total} session(s)</p><table id=\"sessions\"><thead><tr>");
        foreach (var (key, label) in new[] { ("user", "User"), ("target", "Target"), ("", "Login"), ("start", "Start"), ("", "Duration"),
                     ("status", "Status"), ("", "End reason"), ("bytes", "Bytes in/out"), ("", "Recording") })
        {
            if (key.Length == 0)
            {
                html.Append("<th>").Append(label).Append("</th>");
                continue;
            }
            bool current = q.Sort == key;
            string dir = current && q.Descending ? "asc" : "desc";
            html.Append("<th><a href=\"").Append(Html.E(Link(q with { Sort = key, Descending = dir == "desc", Page = 1 }))).Append("\">")
                .Append(label).Append(current ? (q.Descending ? " ▼" : " ▲") : "").Append("</a></th>");
        }
        html.Append("</tr></thead><tbody>");
        foreach (var (s, verified, problem) in page.Items)
        {
            string state = s.Recording is null ? "none" : verified is null ? "not checked" : verified.Value ? "verified" : "FAILED: " + problem;
            html.Append("<tr data-session=\"").Append(Html.E(s.Id)).Append("\"><td>").Append(Html.E(s.User)).Append("</td><td>").Append(Html.E(s.Target))
                .Append("</td><td>").Append(Html.E(s.Login)).Append("</td><td><a href=\"/sessions/").Append(Html.E(s.Id)).Append("\">")
                .Append(Html.Time(s.Start)).Append("</a></td><td>").Append(s.End is { } end ? Duration(end - s.Start) : "running")
                .Append("</td><td>").Append(Html.E(s.Status)).Append("</td><td>").Append(Html.E(s.EndReason ?? "-"))
                .Append("</td><td>").Append(s.BytesIn.ToString(CultureInfo.InvariantCulture)).Append(" / ").Append(s.BytesOut.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td class=\"").Append(verified == false ? "bad" : "").Append("\">").Append(Html.E(state)).Append("</td></tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    private static string Pager(SessionPageQuery q, int total, HttpRequest request)
    {
        int pages = Math.Max(1, (total + q.PageSize - 1) / q.PageSize);
        var html = new StringBuilder("<nav class=\"pager\">");
        if (q.Page > 1) html.Append("<a id=\"prev\" href=\"").Append(Html.E(Link(q with { Page = q.Page - 1 }))).Append("\">Previous</a>");
        html.Append(CultureInfo.InvariantCulture, $"<span>page {q.Page} of {pages}</span>");
        if (q.Page < pages) html.Append("<a id=\"next\" href=\"").Append(Html.E(Link(q with { Page = q.Page + 1 }))).Append("\">Next</a>");
        return html.Append("</nav>").ToString();
    }

    /// <summary>The list's URL for these settings.</summary>
    public static string Link(SessionPageQuery q)
    {
        var parts = new List<string>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value)) parts.Add(key + "=" + Uri.EscapeDataString(value));
        }
        Add("user", q.User);
        Add("target", q.Target);
        Add("from", Field(q.From));
        Add("to", Field(q.To));
        Add("status", q.Status);
        Add("q", q.Text);
        Add("sort", q.Sort);
        Add("dir", q.Descending ? "desc" : "asc");
        Add("page", q.Page.ToString(CultureInfo.InvariantCulture));
        Add("size", q.PageSize.ToString(CultureInfo.InvariantCulture));
        return "/sessions?" + string.Join('&', parts);
    }

    public static string Duration(TimeSpan duration) =>
        duration.TotalHours >= 1 ? duration.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : duration.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
