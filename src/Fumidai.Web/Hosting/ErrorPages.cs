using Fumidai.Web.Auth;
using Fumidai.Web.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fumidai.Web.Hosting;

/// <summary>A clear page for every error status the endpoints leave without a body, and for requests Kestrel refuses (too large).</summary>
public sealed class ErrorPages(RequestDelegate next, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("web");

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await WriteAsync(context, ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"The request is larger than the console accepts ({WebConsole.MaxRequestBodyBytes / 1024} KiB)."
                : "The request could not be read.").ConfigureAwait(false);
            return;
        }
        catch (Pages.BadInputException ex) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await WriteAsync(context, StatusCodes.Status400BadRequest, ex.Message).ConfigureAwait(false);
            return;
        }
        catch (Pages.NotFoundException ex) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await WriteAsync(context, StatusCodes.Status404NotFound, ex.Message).ConfigureAwait(false);
            return;
        }
        catch (Gateway.Administration.AdminRuleException ex) when (!context.Response.HasStarted)
        {
            // The same refusal, in the same words, as the CLI gives for the same change.
            context.Response.Clear();
            await WriteAsync(context, ex.Kind switch
            {
                Gateway.Administration.AdminRuleKind.NotFound => StatusCodes.Status404NotFound,
                Gateway.Administration.AdminRuleKind.Conflict => StatusCodes.Status409Conflict,
                Gateway.Administration.AdminRuleKind.Unavailable => StatusCodes.Status502BadGateway,
                _ => StatusCodes.Status400BadRequest,
            }, ex.Message).ConfigureAwait(false);
            return;
        }
        catch (InvalidDataException) when (!context.Response.HasStarted)
        {
            // Form limits (too many fields, a field too long) end here.
            context.Response.Clear();
            await WriteAsync(context, StatusCodes.Status400BadRequest, "The form is larger than the console accepts.").ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
        {
            // The type and place only: an exception's message may quote what it was reading.
            _logger.LogError("request {Method} {Path} failed: {Type} at {Site}", context.Request.Method, context.Request.Path, ex.GetType().Name,
                ex.TargetSite?.Name);
            context.Response.Clear();
            await WriteAsync(context, StatusCodes.Status500InternalServerError, "The console failed to answer this request; the server log has the cause.")
                .ConfigureAwait(false);
            return;
        }
        if (context.Response.StatusCode >= 400 && !context.Response.HasStarted && context.Response.ContentLength is null
            && context.Response.ContentType is null)
        {
            await WriteAsync(context, context.Response.StatusCode, context.Response.StatusCode switch
            {
                404 => "There is no such page.",
                405 => "This page does not take that method.",
                403 => "Your role may not do this.",
                _ => "The request was refused.",
            }).ConfigureAwait(false);
        }
    }

    private static Task WriteAsync(HttpContext context, int status, string message) =>
        Html.Error(context, status, message, ConsoleUser.From(context.User)).ExecuteAsync(context);
}
