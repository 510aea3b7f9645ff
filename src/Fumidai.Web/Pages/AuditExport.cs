using System.Globalization;
using Fumidai.Gateway.Audit;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>The audit log as JSON lines, filtered as the audit page is, oldest first, each line with its hashes; the download itself is audited first.</summary>
public static class AuditExport
{
    private const int Batch = 1000;

    /// <summary>The filters of the audit page, read and checked the same way for the page and the export.</summary>
    public sealed record Filter(string? Type, string? User, DateTimeOffset? From, DateTimeOffset? To)
    {
        public static Filter Read(HttpRequest request) =>
            new(QueryInput.Text(request, "type", 64), QueryInput.Name(request, "user"), QueryInput.Time(request, "from"), QueryInput.Time(request, "to"));

        /// <summary>The query string (with its leading <c>?</c>, or empty) that gives these filters again.</summary>
        public string Query()
        {
            var parts = new List<string>();
            void Add(string key, string? value)
            {
                if (!string.IsNullOrEmpty(value)) parts.Add(key + "=" + Uri.EscapeDataString(value));
            }
            Add("type", Type);
            Add("user", User);
            Add("from", From?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
            Add("to", To?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
            return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
        }
    }

    public static void Map(WebApplication app) =>
        app.MapGet("/audit/export", async (HttpContext context, ConsoleServices console) =>
        {
            var filter = Filter.Read(context.Request);
            // Audited before the first byte leaves: a download that cannot be audited does not happen.
            await ConsoleAudit.RecordAsync(console, context, AuditTypes.RecordingAccess, null, new Dictionary<string, string>
            {
                ["action"] = "web.audit-export",
                ["filter"] = filter.Query(),
            }).ConfigureAwait(false);
            var response = context.Response;
            response.ContentType = "application/x-ndjson; charset=utf-8";
            response.Headers.ContentDisposition = $"attachment; filename=\"fumidai-audit-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}.jsonl\"";
            long after = 0;
            while (true)
            {
                var events = await console.Store.ListAuditFilteredAfterAsync(filter.Type, filter.User, filter.From, filter.To, after, Batch, context.RequestAborted)
                    .ConfigureAwait(false);
                foreach (var e in events)
                {
                    await response.Body.WriteAsync(AuditJsonLine.Serialize(e), context.RequestAborted).ConfigureAwait(false);
                    await response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
                }
                if (events.Count < Batch) break;
                after = events[^1].Sequence;
            }
        }).RequireAuthorization(ConsoleAuthentication.ConsolePolicy);
}
