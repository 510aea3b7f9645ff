using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Fumidai.Testing;

/// <summary>Asks a bastion's health listener (127.0.0.1 only) for <c>/healthz</c> and <c>/metrics</c>, as a load balancer and Prometheus would.</summary>
public sealed partial class HealthProbe(Uri baseUri) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(15) };

    /// <summary>Status and body of <c>GET /healthz</c>.</summary>
    public async Task<(HttpStatusCode Status, string Body)> HealthAsync()
    {
        using var response = await _http.GetAsync("healthz");
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim());
    }

    /// <summary>Polls <c>/healthz</c> (bounded: every 200 ms until <paramref name="timeout"/>) until it answers <paramref name="status"/>.</summary>
    public async Task<(HttpStatusCode Status, string Body)> WaitForHealthAsync(HttpStatusCode status, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var answer = await HealthAsync();
            if (answer.Status == status || DateTime.UtcNow >= until) return answer;
            await Task.Delay(200);
        }
    }

    /// <summary>The text of <c>GET /metrics</c>, with its content type.</summary>
    public async Task<(string ContentType, string Text)> MetricsAsync()
    {
        using var response = await _http.GetAsync("metrics");
        response.EnsureSuccessStatusCode();
        return (response.Content.Headers.ContentType?.ToString() ?? "", await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// The sum of the samples named <paramref name="name"/> whose labels include every one of <paramref name="labels"/>
    /// (<c>key="value"</c>); null when none is present.
    /// </summary>
    public static double? Sample(string text, string name, params string[] labels)
    {
        double? sum = null;
        foreach (Match m in SampleLine().Matches(text))
        {
            if (m.Groups["name"].Value != name) continue;
            string found = m.Groups["labels"].Value;
            if (!labels.All(l => found.Split(',').Contains(l))) continue;
            sum = (sum ?? 0) + double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return sum;
    }

    [GeneratedRegex(@"(?m)^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eEInfa]+)(?: \d+)?\r?$")]
    private static partial Regex SampleLine();

    public void Dispose() => _http.Dispose();
}
