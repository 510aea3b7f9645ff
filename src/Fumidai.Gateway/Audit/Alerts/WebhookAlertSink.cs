using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fumidai.Gateway.Audit.Export;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Storage;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Audit.Alerts;

/// <summary>
/// Posts an alert for each audit event <see cref="AlertRules"/> picks, as JSON signed with HMAC-SHA256 over the exact body
/// (<c>X-Fumidai-Signature: sha256=HEX</c>), with a deduplication key (the event's chain hash) so a retried alert is
/// recognised; retries with backoff, and a rate limit that turns a storm into one summary alert per window.
/// </summary>
public sealed class WebhookAlertSink : IAuditSink
{
    public const string SignatureHeader = "X-Fumidai-Signature";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Uri _url;
    private readonly byte[] _secret;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly AlertRateLimit _limit;
    private readonly TimeProvider _time;
    private Summary? _pending;

    public WebhookAlertSink(Uri url, byte[] secret, int maxPerWindow, TimeSpan window, ILogger logger, TimeProvider? time = null)
    {
        _url = url;
        _secret = secret;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _limit = new AlertRateLimit(maxPerWindow, window, _time);
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), AllowAutoRedirect = false })
        {
            Timeout = TimeSpan.FromSeconds(15),
        };
    }

    /// <summary>The sink of <c>Alerts:Webhook</c>, or null when no URL is set (validation has checked the rest).</summary>
    public static WebhookAlertSink? FromOptions(WebhookOptions options, ILogger logger) =>
        options.Url is { } url && options.SecretFile is { } file
            ? new WebhookAlertSink(new Uri(url), Encoding.UTF8.GetBytes(File.ReadAllText(file).Trim()), options.MaxPerMinute, TimeSpan.FromMinutes(1), logger)
            : null;

    public string Name => "webhook";

    /// <summary>Attempts per alert before the batch is given back to be retried later.</summary>
    public int Attempts { get; init; } = 5;

    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public async Task SendAsync(IReadOnlyList<AuditEvent> batch, CancellationToken cancellationToken)
    {
        foreach (var e in batch)
        {
            await TickAsync(cancellationToken).ConfigureAwait(false);
            if (AlertRules.Classify(e) is not { } kind || !_limit.TryTake(kind, e.Sequence)) continue;
            await PostAsync(new Alert(kind, "fumidai-" + e.Hash, Time(), new ShippedAuditEvent(e.Sequence, MetadataStore.Time(e.Time), e.Type, e.User,
                e.Outcome, e.Source, e.Target, e.Details, e.PreviousHash, e.Hash)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>At the end of a window that suppressed alerts, one summary with their counts by kind.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var range = _limit.SuppressedRange;
        if (_limit.EndWindowIfDue() is { Count: > 0 } suppressed)
        {
            _pending = new Summary("summary", $"fumidai-summary-{range.First}-{range.Last}", Time(), suppressed, range.First, range.Last);
            _limit.SummarySent();
        }
        if (_pending is { } summary)
        {
            await PostAsync(summary, cancellationToken).ConfigureAwait(false);
            _pending = null;
        }
    }

    private string Time() => MetadataStore.Time(_time.GetUtcNow());

    private async Task PostAsync<T>(T alert, CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(alert, Json);
        string signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(_secret, body));
        var delay = FirstRetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            string problem;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add(SignatureHeader, signature);
                using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return;
                problem = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                problem = ex is TaskCanceledException ? "timed out" : ex.Message;
            }
            if (attempt >= Attempts) throw new IOException($"alert webhook {_url.GetLeftPart(UriPartial.Authority)} failed {attempt} times ({problem})");
            _logger.LogWarning("alert webhook attempt {Attempt} failed ({Problem}); retrying", attempt, problem);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay *= 2;
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        CryptographicOperations.ZeroMemory(_secret);
        return ValueTask.CompletedTask;
    }

    /// <summary>One alert: its kind, the key a receiver deduplicates on, when it was sent, and the event as exported.</summary>
    private sealed record Alert([property: System.Text.Json.Serialization.JsonPropertyName("alert")] string Kind, string DedupKey, string Sent, ShippedAuditEvent Event);

    /// <summary>What a window's rate limit held back: counts by kind and the range of sequence numbers to look up.</summary>
    private sealed record Summary([property: System.Text.Json.Serialization.JsonPropertyName("alert")] string Kind, string DedupKey, string Sent, IReadOnlyDictionary<string, int> Suppressed, long FirstSeq, long LastSeq);
}
