using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Bastion;
using Fumidai.Web.Auth;
using Fumidai.Web.Cluster;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>Lock user, for admins: the user is disabled and every node ends her connections and sessions, exactly as <c>fumidai user disable</c> does.</summary>
public static class LockUserAction
{
    /// <summary>The form that locks <paramref name="user"/>, with a reason field.</summary>
    public static string Form(HttpContext context, IAntiforgery antiforgery, string user) =>
        $"<form method=\"post\" action=\"/users/{Html.E(user)}/lock\" class=\"lock\" data-user=\"{Html.E(user)}\">{Html.Antiforgery(context, antiforgery)}"
        + $"<input name=\"reason\" required maxlength=\"{AdminReason.MaxLength}\" placeholder=\"reason for locking {Html.E(user)}\">"
        + "<button type=\"submit\" class=\"lock-user\">Lock user</button></form>";

    public static void Map(WebApplication app) =>
        app.MapPost("/users/{name}/lock", async (string name, HttpContext context, ConsoleServices console) =>
        {
            if (!LoginName.IsValidName(name)) throw new BadInputException($"'{name}' is not a user name (letters, digits, '.', '_', '-')");
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            string reason = (form["reason"].FirstOrDefault() ?? "").Trim();
            if (reason.Length == 0) throw new BadInputException("reason: required; it is kept with the lock and audited");
            if (AdminReason.Problem(reason) is { } problem) throw new BadInputException("reason: " + problem);
            var admin = ConsoleUser.From(context.User)!;
            // An admin who locked herself would be signed out at once, and nobody might be left to undo it from here.
            if (name == admin.Name)
                return Html.Error(context, StatusCodes.Status409Conflict, "You cannot lock yourself; ask another admin.", admin);
            var user = await console.Store.GetUserAsync(name, context.RequestAborted).ConfigureAwait(false)
                ?? throw new NotFoundException($"There is no user '{name}'.");
            await UserAccess.DisableAsync(console.Store, console.Audit, user, reason, ConsoleAudit.Actor(context), CancellationToken.None).ConfigureAwait(false);
            // Every node ends her sessions within seconds on its own; the nodes running them are asked to do it now.
            if (await RemoteActions.LockAsync(console, context, name, admin.Name, reason).ConfigureAwait(false) is { Count: > 0 } problems)
                return Html.Error(context, StatusCodes.Status502BadGateway, $"{name} is locked (disabled in the store), but ending her sessions at once "
                    + $"was not confirmed: {string.Join("; ", problems)}. A running node ends them within 5 s on its own; check the Live page.", admin);
            return Results.Redirect("/live");
        }).RequireAuthorization(ConsoleAuthentication.AdminPolicy);
}
