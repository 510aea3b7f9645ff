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
