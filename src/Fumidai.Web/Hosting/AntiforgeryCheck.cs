using Fumidai.Web.Auth;
using Fumidai.Web.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Hosting;

/// <summary>Every request that may change something (anything but GET and HEAD) must carry the antiforgery token, or it is refused with 400.</summary>
public sealed class AntiforgeryCheck(RequestDelegate next, IAntiforgery antiforgery)
{
    public const string Refusal = "This form was not sent from a page of this console (its antiforgery token is missing or wrong); reload the page and try again.";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength > WebConsole.MaxRequestBodyBytes)
        {
            // Said before the token is read: reading it would fail on the size and look like a forged form.
            await Html.Error(context, StatusCodes.Status413PayloadTooLarge,
                $"The request is larger than the console accepts ({WebConsole.MaxRequestBodyBytes / 1024} KiB).", ConsoleUser.From(context.User))
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            try
            {
                await antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
            }
            catch (AntiforgeryValidationException)
            {
                await Html.Error(context, StatusCodes.Status400BadRequest, Refusal, ConsoleUser.From(context.User)).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
        }
        await next(context).ConfigureAwait(false);
    }
}
