using System.Text;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>Administration, for admins only (auditors get 403): the users and their state, each linking to her page, and the form that adds one.</summary>
public static class AdminPage
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/admin", async (HttpContext context, ConsoleServices console, IAntiforgery antiforgery) =>
        {
            var users = await console.Store.ListUsersAsync(context.RequestAborted).ConfigureAwait(false);
            var html = new StringBuilder("<p><a id=\"targets-link\" href=\"/admin/targets\">Targets</a></p><table id=\"users\"><thead><tr><th>User</th><th>Roles</th><th>State</th><th>TOTP</th><th>Password</th></tr></thead><tbody>");
            foreach (var u in users)
                html.Append("<tr data-user=\"").Append(Html.E(u.Name)).Append("\"><td><a href=\"/admin/users/").Append(Html.E(u.Name)).Append("\">").Append(Html.E(u.Name))
                    .Append("</a></td><td>").Append(Html.E(string.Join(", ", u.Roles))).Append("</td><td>")
                    .Append(u.Disabled ? "disabled" : "enabled").Append("</td><td>").Append(u.HasTotp ? "enrolled" : "none").Append("</td><td>")
                    .Append(u.PasswordHash is null ? "none" : "set").Append("</td></tr>");
            html.Append("</tbody></table>")
                .Append("<h2>Add a user</h2><form method=\"post\" action=\"/admin/users\" class=\"filters\" id=\"add-user\">").Append(Html.Antiforgery(context, antiforgery))
                .Append("<label>Name <input name=\"name\" required maxlength=\"64\"></label>")
                .Append("<label>Roles (comma-separated) <input name=\"roles\" value=\"user\" maxlength=\"400\"></label>")
                .Append("<label>Public keys (one per line) <textarea name=\"keys\" rows=\"2\" cols=\"60\" maxlength=\"16000\"></textarea></label>")
                .Append("<button type=\"submit\" id=\"add\">Add user</button></form>")
                .Append("<p>Passwords are set by the bastion host's admin with <code>fumidai user set-password</code>, never through a web form.</p>");
            return Html.Page("Administration", html.ToString(), ConsoleUser.From(context.User), context);
        }).RequireAuthorization(ConsoleAuthentication.AdminPolicy);
        AdminUserPage.Map(app);
        AdminUserActions.Map(app);
        AdminTargetsPage.Map(app);
    }
}
