using System.Globalization;
using System.Text;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Audit.Review;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>
/// The daily review (what <c>fumidai audit summary</c> prints) for auditors and admins: logins, failures, lockouts,
/// sessions by target, unusual hours, watched commands linked to the player, recordings that did not verify. Audited.
/// </summary>
public static class ReviewPage
{
    public static void Map(WebApplication app) =>
        app.MapGet("/review", async (HttpContext context, ConsoleServices console) =>
        {
            int hours = QueryInput.Number(context.Request, "hours", 24, 1, 31 * 24);
            var until = DateTimeOffset.UtcNow;
            var summary = await AuditSummary.BuildAsync(console.Store, console.Options.Review, until - TimeSpan.FromHours(hours), until, context.RequestAborted)
                .ConfigureAwait(false);
            await ConsoleAudit.RecordAsync(console, context, AuditTypes.RecordingAccess, null, new Dictionary<string, string>
            {
                ["action"] = "web.review",
                ["hours"] = hours.ToString(CultureInfo.InvariantCulture),
            }).ConfigureAwait(false);
            var html = new StringBuilder("<form method=\"get\" action=\"/review\" class=\"filters\"><label>Last <input name=\"hours\" type=\"number\" min=\"1\" max=\"744\" value=\"")
                .Append(hours.ToString(CultureInfo.InvariantCulture)).Append("\"> hours</label><button type=\"submit\">Show</button></form>")
                .Append("<p>From ").Append(Html.Time(summary.Since)).Append(" to ").Append(Html.Time(summary.Until)).Append("</p>");
            Table(html, "logins", "Logins", ["User", "Source", "Logins"], summary.Logins.Select(l => Row(l.User, l.Source, Count(l.Count))));
            Table(html, "failures", "Failed logins", ["Kind", "User", "Source", "Attempts"], summary.Failures.Select(f => Row(f.Type, f.User, f.Source, Count(f.Count))));
            Table(html, "lockouts", "Lockouts", ["Time", "User", "Source", "Failures"], summary.Lockouts.Select(l => Row(Html.Time(l.Time), l.User, l.Source, l.Failures)));
            Table(html, "targets", "Sessions by target", ["Target", "Sessions", "Failed", "Users"],
                summary.SessionsByTarget.Select(t => Row(t.Target, Count(t.Sessions), Count(t.Failed), string.Join(", ", t.Users))));
            Table(html, "unusual", "Outside working hours", ["Local time", "Event", "User", "Source", "Target"],
                summary.UnusualHours.Select(u => Row(u.LocalTime, u.Type, u.User, u.Source, u.Target)));
            html.Append("<h2>Watched commands</h2><table id=\"watched\"><thead><tr><th>Time</th><th>User</th><th>Target</th><th>Command</th><th>Matches</th></tr></thead><tbody>");
            foreach (var w in summary.WatchedCommands)
                html.Append("<tr><td><a href=\"/sessions/").Append(Html.E(w.Session)).Append("?at=").Append(w.Time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))
                    .Append("\">").Append(Html.Time(w.Time)).Append("</a></td><td>").Append(Html.E(w.User)).Append("</td><td>").Append(Html.E(w.Target))
                    .Append("</td><td><code>").Append(Html.E(w.Command)).Append("</code></td><td>").Append(Html.E(string.Join(", ", w.Patterns))).Append("</td></tr>");
            html.Append("</tbody></table>");
            html.Append("<h2>Recordings that did not verify</h2><table id=\"unverified\"><thead><tr><th>Session</th><th>User</th><th>Target</th><th>Problem</th></tr></thead><tbody>");
            foreach (var r in summary.UnverifiedRecordings)
                html.Append("<tr><td><a href=\"/sessions/").Append(Html.E(r.Session)).Append("\">").Append(Html.E(r.Session)).Append("</a></td><td>").Append(Html.E(r.User))
                    .Append("</td><td>").Append(Html.E(r.Target)).Append("</td><td>").Append(Html.E(r.Problem)).Append("</td></tr>");
            html.Append("</tbody></table><p id=\"unchecked\">").Append(Count(summary.UncheckedRecordings))
                .Append(" ended recording(s) in the period not checked yet (<code>fumidai verify --all</code> checks them).</p>");
            return Html.Page("Daily review", html.ToString(), ConsoleUser.From(context.User), context);
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string?[] Row(params string?[] cells) => cells;

    private static void Table(StringBuilder html, string id, string title, string[] headings, IEnumerable<string?[]> rows)
    {
        html.Append("<h2>").Append(Html.E(title)).Append("</h2><table id=\"").Append(id).Append("\"><thead><tr>");
        foreach (var h in headings) html.Append("<th>").Append(Html.E(h)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row) html.Append("<td>").Append(Html.E(cell)).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
    }
}
