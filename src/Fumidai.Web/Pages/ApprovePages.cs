using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Identity;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>
/// <c>/approve</c>: the holder of an SSH login that waits for her approval signs in through the IdP, types the code her
/// terminal shows, sees where the login comes from and what it asks for, and approves or denies it.
/// </summary>
/// <remarks>
/// Only her own logins: the IdP identity must be the login's user. Wrong codes are counted per address and per user and
/// throttled, and every refusal, approval and denial is audited.
/// </remarks>
public static class ApprovePages
{
    public const string InvalidCode = "This code is not valid: it may be mistyped, expired, already used, or not for a login of yours.";
    public const string Throttled = "Too many wrong codes; wait a few minutes and try again.";
    public const string Approved = "Approved. Go back to your terminal and press Enter.";
    public const string Denied = "Denied. The login will fail when Enter is pressed at the terminal.";

    public static void Map(WebApplication app)
    {
        app.MapGet("/approve", async (HttpContext context, IAntiforgery antiforgery, ConsoleServices console) =>
        {
            if (console.Approvals is null) return NotConfigured(context);
            return await ApproverAsync(context, console).ConfigureAwait(false) is { } user
                ? CodeForm(context, antiforgery, user, null, StatusCodes.Status200OK)
                : SignInPage(context);
        });
        app.MapGet("/approve/signin", (HttpContext context, ConsoleServices console) => console.Approvals is null
            ? NotConfigured(context)
            : OidcAuthentication.Challenge("/approve", ApprovalAuthentication.Purpose));
        app.MapPost("/approve", async (HttpContext context, IAntiforgery antiforgery, ConsoleServices console) =>
        {
            if (console.Approvals is null) return NotConfigured(context);
            if (await ApproverAsync(context, console).ConfigureAwait(false) is not { } user) return SignInPage(context);
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            string? code = form["code"].FirstOrDefault();
            var (record, refusal) = await OpenApprovalAsync(context, console, user, code).ConfigureAwait(false);
            if (record is null) return CodeForm(context, antiforgery, user, refusal!.Value.Message, refusal.Value.Status);
            return Details(context, antiforgery, user, record!, LoginApprovals.Normalize(code)!);
        });
        app.MapPost("/approve/decide", async (HttpContext context, IAntiforgery antiforgery, ConsoleServices console) =>
        {
            if (console.Approvals is null) return NotConfigured(context);
            if (await ApproverAsync(context, console).ConfigureAwait(false) is not { } user) return SignInPage(context);
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            string? code = form["code"].FirstOrDefault();
            bool approve = form["decision"].FirstOrDefault() == "approve";
            var (record, refusal) = await OpenApprovalAsync(context, console, user, code).ConfigureAwait(false);
            if (record is null) return CodeForm(context, antiforgery, user, refusal!.Value.Message, refusal.Value.Status);
            if (!await console.Approvals.DecideAsync(code!, user, approve, context.RequestAborted).ConfigureAwait(false))
            {
                await AuditAsync(console, context, user, AuditOutcome.Failure, record, "code no longer open").ConfigureAwait(false);
                return CodeForm(context, antiforgery, user, InvalidCode, StatusCodes.Status409Conflict);
            }
            await AuditAsync(console, context, user, approve ? AuditOutcome.Success : AuditOutcome.Failure, record, approve ? "approved" : "denied")
                .ConfigureAwait(false);
            string id = approve ? "approved" : "denied";
            return Html.Page(approve ? "Login approved" : "Login denied", $"<p id=\"{id}\">{Html.E(approve ? Approved : Denied)}</p>", null, context);
        });
    }

    /// <summary>The user signed in for approvals, if she still exists and is enabled.</summary>
    private static async Task<string?> ApproverAsync(HttpContext context, ConsoleServices console)
    {
        if (await ApprovalAuthentication.UserAsync(context).ConfigureAwait(false) is not { } name) return null;
        var user = await console.Store.GetUserAsync(name, context.RequestAborted).ConfigureAwait(false);
        return user is { Disabled: false } ? name : null;
    }

    /// <summary>The open login of hers the code names, or why not (throttled, or no such login), audited and counted.</summary>
    private static async Task<(LoginApprovalRecord? Record, (string Message, int Status)? Refusal)> OpenApprovalAsync(HttpContext context,
        ConsoleServices console, string user, string? code)
    {
        var now = DateTimeOffset.UtcNow;
        var address = context.Connection.RemoteIpAddress;
        if (console.ApprovalThrottle.IsThrottled(address, user, now))
        {
            await AuditAsync(console, context, user, AuditOutcome.Failure, null, "refused: too many wrong codes").ConfigureAwait(false);
            return (null, (Throttled, StatusCodes.Status429TooManyRequests));
        }
        var (record, refusal) = await console.Approvals!.FindForApproverAsync(code, user, context.RequestAborted).ConfigureAwait(false);
        if (record is not null) return (record, null);
        console.ApprovalThrottle.RecordFailure(address, user, now);
        await AuditAsync(console, context, user, AuditOutcome.Failure, null, "refused: " + refusal).ConfigureAwait(false);
        return (null, (InvalidCode, StatusCodes.Status400BadRequest));
    }

    private static Task<AuditEvent> AuditAsync(ConsoleServices console, HttpContext context, string user, string outcome, LoginApprovalRecord? record,
        string decision)
    {
        var details = new Dictionary<string, string> { ["via"] = "web", ["method"] = "oidc", ["decision"] = decision };
        if (record is not null)
        {
            details["login_user"] = record.UserName;
            details["login_source"] = record.Source;
            details["login"] = record.Login ?? "";
            details["asked"] = Html.Time(record.Created);
        }
        return console.Audit.RecordAsync(AuditTypes.LoginApproval, outcome, user, context.Connection.RemoteIpAddress?.ToString(), record?.Target,
            details, CancellationToken.None);
    }

    private static IResult NotConfigured(HttpContext context) =>
        Html.Error(context, StatusCodes.Status404NotFound, "Approval of SSH logins through an identity provider is not configured.");

    private static IResult SignInPage(HttpContext context) => Html.Page("Approve an SSH login",
        "<p>Sign in with the identity provider to approve a login that waits at your terminal.</p>"
        + "<p><a class=\"button\" id=\"approve-signin\" href=\"/approve/signin\">Sign in with the identity provider</a></p>", null, context);

    private static IResult CodeForm(HttpContext context, IAntiforgery antiforgery, string user, string? message, int status) => Html.Page(
        "Approve an SSH login",
        (message is null ? "" : $"<p class=\"error\" id=\"error\">{Html.E(message)}</p>")
        + $"<p>Signed in as <span id=\"approver\">{Html.E(user)}</span> for approvals only.</p>"
        + $"<form method=\"post\" action=\"/approve\" class=\"signin\">{Html.Antiforgery(context, antiforgery)}"
        + "<label>Code from your terminal <input name=\"code\" id=\"approve-code\" autocomplete=\"off\" required maxlength=\"32\" placeholder=\"ABCD-EFGH\"></label>"
        + "<button type=\"submit\" id=\"approve-lookup\">Continue</button></form>", null, context, status);

    private static IResult Details(HttpContext context, IAntiforgery antiforgery, string user, LoginApprovalRecord record, string code)
    {
        string token = Html.Antiforgery(context, antiforgery);
        string body = "<p>Is this login yours? Approve it only if you started it just now.</p><table class=\"details\" id=\"approval\">"
            + Row("User", record.UserName, "approval-user") + Row("From", record.Source, "approval-source")
            + Row("Target", record.Target ?? "(chosen from the menu after login)", "approval-target") + Row("Login", record.Login ?? "(the role's default)", "approval-login")
            + Row("Asked at", Html.Time(record.Created), "approval-time") + Row("Code expires", Html.Time(record.Expires), "approval-expires")
            + "</table>"
            + $"<form method=\"post\" action=\"/approve/decide\">{token}<input type=\"hidden\" name=\"code\" value=\"{Html.E(code)}\">"
            + "<button type=\"submit\" name=\"decision\" value=\"approve\" id=\"approve-yes\">Approve</button> "
            + "<button type=\"submit\" name=\"decision\" value=\"deny\" id=\"approve-no\">Deny</button></form>";
        return Html.Page("Approve an SSH login", body, null, context);
        static string Row(string name, string value, string id) => $"<tr><th>{Html.E(name)}</th><td id=\"{id}\">{Html.E(value)}</td></tr>";
    }
}
