using System.Globalization;
using System.Text;
using Fumidai.Gateway.Administration;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>Targets for admins: each with its pinned host keys and a re-pin (scan) button, and the form that adds one after a scan.</summary>
public static class AdminTargetsPage
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/admin/targets", async (HttpContext context, ConsoleServices console, IAntiforgery antiforgery) =>
        {
            var targets = await console.Store.ListTargetsAsync(context.RequestAborted).ConfigureAwait(false);
            var html = new StringBuilder("<table id=\"targets\"><thead><tr><th>Target</th><th>Address</th><th>Logins</th><th>Host keys</th><th></th></tr></thead><tbody>");
            foreach (var t in targets)
                html.Append("<tr data-target=\"").Append(Html.E(t.Name)).Append("\"><td>").Append(Html.E(t.Name)).Append("</td><td>").Append(Html.E(t.Host)).Append(':')
                    .Append(t.Port.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(Html.E(string.Join(", ", t.Logins))).Append("</td><td><code>")
                    .Append(Html.E(TargetRules.Fingerprints(t.HostKeys).Replace(",", " ", StringComparison.Ordinal))).Append("</code></td><td>")
                    .Append("<form method=\"post\" class=\"repin\" action=\"/admin/targets/").Append(Html.E(t.Name)).Append("/scan\">").Append(Html.Antiforgery(context, antiforgery))
                    .Append("<button type=\"submit\">Re-pin host keys (scan)</button></form></td></tr>");
            html.Append("</tbody></table><h2>Add a target</h2><form method=\"post\" action=\"/admin/targets/scan\" class=\"filters\" id=\"add-target\">")
                .Append(Html.Antiforgery(context, antiforgery))
                .Append("<label>Name <input name=\"name\" required maxlength=\"64\"></label><label>Host <input name=\"host\" required maxlength=\"253\"></label>")
                .Append("<label>Port <input name=\"port\" value=\"22\" maxlength=\"5\"></label><label>Logins (comma-separated) <input name=\"logins\" maxlength=\"400\"></label>")
                .Append("<button type=\"submit\" id=\"scan\">Scan its host keys</button></form>")
                .Append("<p>Stored target keys are set with <code>fumidai target add --key</code> on the bastion host; without one the bastion uses certificates.</p>");
            return Html.Page("Targets", html.ToString(), ConsoleUser.From(context.User), context);
        }).RequireAuthorization(ConsoleAuthentication.AdminPolicy);
        AdminTargetActions.Map(app);
    }
}
