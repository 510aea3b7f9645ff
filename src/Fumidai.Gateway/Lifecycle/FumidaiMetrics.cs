using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Fumidai.Gateway.Lifecycle;

/// <summary>
/// The one <see cref="Meter"/> of the bastion: every instrument lives on it, so whatever exports the meter (the health
/// listener's <c>/metrics</c>) shows new instruments without more wiring.
/// </summary>
public static class FumidaiMetrics
{
    public const string MeterName = "Fumidai";

    public static readonly Meter Meter = new(MeterName);

    /// <summary>Logins as audited, tagged <c>outcome</c> (<c>ok</c>, <c>failed</c>) and, for a failure, <c>reason</c>.</summary>
    public static readonly Counter<long> Logins = Meter.CreateCounter<long>("fumidai.logins", "{login}",
        "Logins (both factors done) and refused attempts, by outcome and reason");

    /// <summary>How long the bastion took to decide one authentication attempt (store, Argon2, TOTP), tagged <c>method</c>.</summary>
    public static readonly Histogram<double> AuthenticationDuration = Meter.CreateHistogram<double>("fumidai.auth.duration", "s",
        "Time to decide one authentication attempt, without the uniform failure delay", advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });

    /// <summary>Session bytes relayed between operators and targets, tagged <c>direction</c> (<c>in</c>: from the operator).</summary>
    public static readonly Counter<long> BytesRelayed = Meter.CreateCounter<long>("fumidai.relayed", "By",
        "Session bytes relayed, from operators (in) and to them (out)");

    /// <summary>This node's heartbeats to the shared store, tagged <c>result</c> (<c>ok</c>, <c>failed</c>).</summary>
    public static readonly Counter<long> Heartbeats = Meter.CreateCounter<long>("fumidai.node.heartbeats", "{heartbeat}",
        "Heartbeats this node wrote to the metadata store, by result");

    private static readonly NodeGauges Gauges = new(Meter);

    /// <summary>Publishes the gauges of a running node until the result is disposed.</summary>
    public static IDisposable Observe(NodeGaugeSource source) => Gauges.Add(source);

    /// <summary>Counts a login or a refusal; <paramref name="reason"/> is reduced to a bounded label.</summary>
    public static void CountLogin(bool ok, string? reason)
    {
        if (ok) Logins.Add(1, new KeyValuePair<string, object?>("outcome", "ok"));
        else Logins.Add(1, new KeyValuePair<string, object?>("outcome", "failed"), new KeyValuePair<string, object?>("reason", ReasonLabel(reason)));
    }

    /// <summary>
    /// The stable part of an audited reason: its variable tail (a date, a certificate's detail, "the same code again") is cut,
    /// so the label set stays small whatever a client sends.
    /// </summary>
    public static string ReasonLabel(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) return "unknown";
        string label = reason;
        foreach (string cut in new[] { ":", " until ", " (" })
        {
            int at = label.IndexOf(cut, StringComparison.Ordinal);
            if (at > 0) label = label[..at];
        }
        label = label.Trim();
        return label.Length is > 0 and <= 48 && label.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '_') ? label : "other";
    }

    /// <summary>Times one authentication decision.</summary>
    public static void RecordAuthentication(TimeSpan elapsed, string method) =>
        AuthenticationDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("method", method));

    /// <summary>Starts a timestamp for <see cref="RecordAuthentication"/>.</summary>
    public static long Now() => Stopwatch.GetTimestamp();
}
