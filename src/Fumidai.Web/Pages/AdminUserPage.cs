using System.Text;
using Fumidai.Gateway.Administration;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>One user for admins: her state, roles and keys, with a form for each change the CLI's <c>user</c> commands make.</summary>
public static class AdminUserPage
{
    public static void Map(WebApplication app) =>
        app.MapGet("/admin/users/{name}", async (string name, HttpContext context, ConsoleServices console, IAntiforgery antiforgery) =>
        {
            var user = await AdminRules.RequireUserAsync(console.Store, name, context.RequestAborted).ConfigureAwait(false);
            var keys = await console.Store.ListUserKeysAsync(user.Name, context.RequestAborted).ConfigureAwait(false);
            var lockedUntil = await console.Store.GetLockedUntilAsync(user.Name, DateTimeOffset.UtcNow, context.RequestAborted).ConfigureAwait(false);
            string action = "/admin/users/" + Html.E(user.Name);
            string Form(string verb, string button, string fields = "") =>
                $"<form method=\"post\" action=\"{action}/{verb}\" class=\"filters\" id=\"{verb}\">{Html.Antiforgery(context, antiforgery)}{fields}"
                + $"<button type=\"submit\">{button}</button></form>";
            var html = new StringBuilder("<dl class=\"facts\"><dt>State</dt><dd id=\"state\">")
                .Append(user.Disabled ? "disabled" : lockedUntil is not null ? "locked until " + Html.Time(lockedUntil) : "enabled")
                .Append("</dd><dt>Roles</dt><dd id=\"roles\">").Append(Html.E(string.Join(", ", user.Roles)))
                .Append("</dd><dt>TOTP</dt><dd>").Append(user.HasTotp ? "enrolled" : "none").Append("</dd><dt>Password</dt><dd>")
                .Append(user.PasswordHash is null ? "none" : "set").Append("</dd></dl>");
            html.Append("<h2>Roles</h2>").Append(Form("roles", "Set roles",
                $"<label>Roles (comma-separated) <input name=\"roles\" required maxlength=\"400\" value=\"{Html.E(string.Join(",", user.Roles))}\"></label>"));
            html.Append("<h2>Keys</h2><table id=\"keys\"><tbody>");
            foreach (var key in keys)
                html.Append("<tr><td><code>").Append(Html.E(key.Fingerprint)).Append("</code></td><td>").Append(Html.E(key.Comment)).Append("</td><td>")
                    .Append(Form("keys/remove", "Remove", $"<input type=\"hidden\" name=\"fingerprint\" value=\"{Html.E(key.Fingerprint)}\">")).Append("</td></tr>");
            if (keys.Count == 0) html.Append("<tr><td>no keys</td></tr>");
            html.Append("</tbody></table>").Append(Form("keys/add", "Add keys",
                "<label>Public keys (one per line) <textarea name=\"keys\" required rows=\"2\" cols=\"60\" maxlength=\"16000\"></textarea></label>"));
            html.Append("<h2>Access</h2>");
            html.Append(user.Disabled ? Form("enable", "Enable") : LockUserAction.Form(context, antiforgery, user.Name));
            html.Append(Form("unlock", "Unlock (clear failed logins)"));
            html.Append(Form("reset-mfa", "Reset MFA (new TOTP secret; her connections end)"));
            return Html.Page($"User {user.Name}", html.ToString(), ConsoleUser.From(context.User), context);
        }).RequireAuthorization(ConsoleAuthentication.AdminPolicy);
}
