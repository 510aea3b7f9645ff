using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Fumidai.Ssh.Wire;
using Microsoft.AspNetCore.Antiforgery;
using Fumidai.Web.Auth;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>Builds the console's pages: every text from the store is HTML-encoded with its control characters escaped; no inline script.</summary>
public static class Html
{
    /// <summary>Text for a page: control characters escaped (a name or command is data), then HTML-encoded.</summary>
    public static string E(string? text) => HtmlEncoder.Default.Encode(ControlText.Escape(text));

    public static string Time(DateTimeOffset? time) => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z" : "-";

    /// <summary>The hidden antiforgery field every form carries.</summary>
    public static string Antiforgery(HttpContext context, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return $"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken)}\">";
    }

    /// <summary>A whole page: the layout, the navigation for a signed-in user, and the body (already HTML).</summary>
    public static IResult Page(string title, string body, ConsoleUser? user, HttpContext context, int status = 200, string? scripts = null)
    {
        var html = new StringBuilder(4096)
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(E(title)).Append(" · Fumidai</title><link rel=\"stylesheet\" href=\"/assets/app.css\">");
        if (scripts is not null) html.Append(scripts);
        html.Append("</head><body><header><a class=\"brand\" href=\"/sessions\">Fumidai</a>");
        if (user is not null)
        {
            var antiforgery = context.RequestServices.GetService(typeof(IAntiforgery)) as IAntiforgery;
            html.Append("<nav><a href=\"/sessions\">Sessions</a><a href=\"/live\">Live</a><a href=\"/search\">Search</a><a href=\"/audit\">Audit log</a><a href=\"/review\">Daily review</a>");
            if (user.IsAdmin) html.Append("<a href=\"/admin\">Admin</a>");
            html.Append("</nav><form class=\"signout\" method=\"post\" action=\"/signout\">");
            if (antiforgery is not null) html.Append(Antiforgery(context, antiforgery));
            html.Append("<span class=\"who\">").Append(E(user.Name)).Append(" (").Append(E(user.Role)).Append(")</span>")
                .Append("<button type=\"submit\">Sign out</button></form>");
        }
        html.Append("</header><main><h1>").Append(E(title)).Append("</h1>").Append(body).Append("</main></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>A clear error page with the status code and what to do.</summary>
    public static IResult Error(HttpContext context, int status, string message, ConsoleUser? user = null) =>
        Page(status switch
        {
            400 => "Bad request",
            403 => "Forbidden",
            404 => "Not found",
            413 => "Request too large",
            _ => "Error",
        }, $"<p class=\"error\" id=\"error\">{E(message)}</p><p><a href=\"/sessions\">Back to the sessions</a></p>", user, context, status);
}
