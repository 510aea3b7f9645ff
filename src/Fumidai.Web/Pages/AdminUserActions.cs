using Fumidai.Gateway.Administration;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>
/// The admins' changes to users, each through <see cref="UserAdministration"/> as the CLI makes it: the same rules and refusals,
/// the same revocations, audited naming the admin. Admins only; every POST carries the antiforgery token.
/// </summary>
public static class AdminUserActions
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/admin/users", async (HttpContext context, ConsoleServices console) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            string name = Field(form, "name");
            string keysText = Field(form, "keys");
            var keys = keysText.Length == 0 ? [] : AdminRules.PublicKeys("keys", keysText);
            var totp = await Users(console, context).AddAsync(name, AdminRules.SplitList(Field(form, "roles")), keys, null, console.Data.LoadProtector(),
                CancellationToken.None).ConfigureAwait(false);
            return Done(context, $"User {name} added", $"<p id=\"done\">{Html.E(name)} was added. <a href=\"/admin/users/{Html.E(name)}\">Her page</a></p>"
                + EnrolmentView.Html(totp));
        }).RequireAuthorization(ConsoleAuthentication.AdminPolicy);

        Change(app, "roles", async (users, user, form) =>
        {
            var granted = await users.SetRolesAsync(user, AdminRules.SplitList(Field(form, "roles")), CancellationToken.None).ConfigureAwait(false);
            return $"roles {string.Join(',', granted)}";
        });
        Change(app, "keys/add", async (users, user, form) =>
        {
            var added = await users.AddKeysAsync(user, AdminRules.PublicKeys("keys", Field(form, "keys")), CancellationToken.None).ConfigureAwait(false);
            return "added " + string.Join(", ", added);
        });
        Change(app, "keys/remove", async (users, user, form) =>
        {
            var removed = await users.RemoveKeysAsync(user, [Field(form, "fingerprint")], CancellationToken.None).ConfigureAwait(false);
            return "removed " + string.Join(", ", removed);
        });
        Change(app, "enable", async (users, user, _) =>
        {
            await users.EnableAsync(user, CancellationToken.None).ConfigureAwait(false);
            return "enabled";
        });
        Change(app, "unlock", async (users, user, _) =>
            await users.UnlockAsync(user, CancellationToken.None).ConfigureAwait(false) ? "unlocked" : "was not locked; failure count cleared");

        app.MapPost("/admin/users/{name}/reset-mfa", async (string name, HttpContext context, ConsoleServices console) =>
        {
            var user = await AdminRules.RequireUserAsync(console.Store, name, context.RequestAborted).ConfigureAwait(false);
            var totp = await Users(console, context).ResetMfaAsync(user, console.Data.LoadProtector(), CancellationToken.None).ConfigureAwait(false);
            return Done(context, $"New TOTP secret for {user.Name}", $"<p id=\"done\">{Html.E(user.Name)}: MFA reset; her connections end within seconds. "
                + $"<a href=\"/admin/users/{Html.E(user.Name)}\">Back to her page</a></p>" + EnrolmentView.Html(totp));
        }).RequireAuthorization(ConsoleAuthentication.AdminPolicy);
    }

    /// <summary>A POST on one user that makes one change and goes back to her page, saying what was done.</summary>
    private static void Change(WebApplication app, string verb, Func<UserAdministration, Gateway.Identity.UserRecord, IFormCollection, Task<string>> change) =>
        app.MapPost("/admin/users/{name}/" + verb, async (string name, HttpContext context, ConsoleServices console) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var user = await AdminRules.RequireUserAsync(console.Store, name, context.RequestAborted).ConfigureAwait(false);
            string said = await change(Users(console, context), user, form).ConfigureAwait(false);
            return Done(context, $"User {user.Name}", $"<p id=\"done\">{Html.E(user.Name)}: {Html.E(said)}. <a href=\"/admin/users/{Html.E(user.Name)}\">Back to her page</a></p>");
        }).RequireAuthorization(ConsoleAuthentication.AdminPolicy);

    private static UserAdministration Users(ConsoleServices console, HttpContext context) => new(console.Store, console.Audit, ConsoleAudit.Actor(context));

    private static string Field(IFormCollection form, string key) => (form[key].FirstOrDefault() ?? "").Trim();

    private static IResult Done(HttpContext context, string title, string body) => Html.Page(title, body, ConsoleUser.From(context.User), context);
}
