using System.Text;
using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Fumidai.Web.Auth;
using Fumidai.Web.Cluster;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>Running sessions, and Terminate for admins: the same store request as <c>fumidai sessions kill</c>, which the node running it acts on.</summary>
public static class LivePage
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/live", async (HttpContext context, ConsoleServices console, IAntiforgery antiforgery) =>
        {
            var user = ConsoleUser.From(context.User)!;
            var running = await console.Store.ListRunningSessionsAsync(context.RequestAborted).ConfigureAwait(false);
            var html = new StringBuilder("<table id=\"live\"><thead><tr><th>User</th><th>Target</th><th>Start</th><th>Session</th>")
                .Append(user.IsAdmin ? "<th>Terminate</th><th>Lock user</th>" : "").Append("</tr></thead><tbody>");
            foreach (var s in running)
            {
                html.Append("<tr data-session=\"").Append(Html.E(s.Id)).Append("\"><td>").Append(Html.E(s.User)).Append("</td><td>").Append(Html.E(s.Target))
                    .Append("</td><td>").Append(Html.Time(s.Start)).Append("</td><td><a class=\"watch\" href=\"/sessions/").Append(Html.E(s.Id)).Append("/watch\">watch live</a> · <a class=\"recording\" href=\"/sessions/")
                    .Append(Html.E(s.Id)).Append("\">recording so far</a></td>");
                if (user.IsAdmin)
                    html.Append("<td><form method=\"post\" action=\"/sessions/").Append(Html.E(s.Id)).Append("/terminate\">").Append(Html.Antiforgery(context, antiforgery))
                        .Append("<input name=\"reason\" required maxlength=\"200\" placeholder=\"reason, shown to the operator\">")
                        .Append("<button type=\"submit\" class=\"terminate\">Terminate</button></form></td><td>")
                        .Append(LockUserAction.Form(context, antiforgery, s.User)).Append("</td>");
                html.Append("</tr>");
            }
            if (running.Count == 0) html.Append("<tr><td colspan=\"6\">No session is running.</td></tr>");
            return Html.Page("Live sessions", html.Append("</tbody></table>").ToString(), user, context);
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);

        app.MapPost("/sessions/{id}/terminate", async (string id, HttpContext context, ConsoleServices console) =>
        {
            if (!QueryInput.IsSessionId(id)) throw new BadInputException("the session id may hold only letters, digits, '-' and '_' (at most 128)");
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            string reason = (form["reason"].FirstOrDefault() ?? "").Trim();
            if (reason.Length == 0) throw new BadInputException("reason: required, shown to the operator");
            if (AdminReason.Problem(reason) is { } problem) throw new BadInputException("reason: " + problem);
            var session = await console.Store.GetSessionAsync(id, context.RequestAborted).ConfigureAwait(false)
                ?? throw new NotFoundException($"There is no session '{id}'.");
            if (session.Status != SessionStatus.Running)
                return Html.Error(context, StatusCodes.Status409Conflict, $"Session {session.Id} is not running ({session.Status}).", ConsoleUser.From(context.User));
            var admin = ConsoleUser.From(context.User)!;
            // Another node's session: that node ends it at once and audits it, or the admin hears that it did not.
            var (sent, unconfirmed) = await RemoteActions.TerminateAsync(console, context, session, admin.Name, reason).ConfigureAwait(false);
            if (unconfirmed is not null)
                return Html.Error(context, StatusCodes.Status502BadGateway, $"Session {session.Id} was NOT terminated: {unconfirmed}. Try again, "
                    + "or end it with `fumidai sessions kill` on any node.", admin);
            if (sent) return Results.Redirect("/live");
            await console.Store.AddRevocationAsync(RevocationScopes.Session, session.User, session.Id, reason, admin.Name, context.RequestAborted)
                .ConfigureAwait(false);
            await ConsoleAudit.RecordAsync(console, context, AuditTypes.AdminChange, session.Target, new Dictionary<string, string>
            {
                ["action"] = "web.terminate",
                ["session"] = session.Id,
                ["reason"] = reason,
            }, session.User).ConfigureAwait(false);
            return Results.Redirect("/live");
        }).RequireAuthorization(ConsoleAuthentication.AdminPolicy);
    }
}
