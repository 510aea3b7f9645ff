using System.Text;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>Administration, for admins only (auditors get 403): the users and their state, read from the store.</summary>
public static class AdminPage
{
    public static void Map(WebApplication app) =>
        app.MapGet("/admin", async (HttpContext context, ConsoleServices console) =>
        {
            var users = await console.Store.ListUsersAsync(context.RequestAborted).ConfigureAwait(false);
            var html = new StringBuilder("<p>Changes are made with the <code>fumidai</code> CLI on the bastion host.</p>")
                .Append("<table id=\"users\"><thead><tr><th>User</th><th>Roles</th><th>State</th><th>TOTP</th><th>Password</th></tr></thead><tbody>");
            foreach (var u in users)
                html.Append("<tr><td>").Append(Html.E(u.Name)).Append("</td><td>").Append(Html.E(string.Join(", ", u.Roles))).Append("</td><td>")
                    .Append(u.Disabled ? "disabled" : "enabled").Append("</td><td>").Append(u.HasTotp ? "enrolled" : "none").Append("</td><td>")
                    .Append(u.PasswordHash is null ? "none" : "set").Append("</td></tr>");
            return Html.Page("Administration", html.Append("</tbody></table>").ToString(), ConsoleUser.From(context.User), context);
        }).RequireAuthorization(ConsoleAuthentication.AdminPolicy);
}
