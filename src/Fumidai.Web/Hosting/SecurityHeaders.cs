using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Hosting;

/// <summary>Headers on every response: HSTS, a Content-Security-Policy without inline script, no framing, no sniffing, no caching of pages.</summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    /// <summary>Scripts only from the console itself; the player compiles its WebAssembly terminal, which needs wasm-unsafe-eval and nothing more.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        + "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            // Written by hand: the framework's HSTS middleware leaves out localhost, where the tests and a first look happen.
            headers.StrictTransportSecurity = "max-age=31536000";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            if (!context.Request.Path.StartsWithSegments("/assets", StringComparison.Ordinal)) headers.CacheControl = "no-store";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
