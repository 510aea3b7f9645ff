using System.Diagnostics.Metrics;

namespace Fumidai.Gateway.Lifecycle;

/// <summary>The one meter every Fumidai counter and gauge belongs to.</summary>
public static class FumidaiMetrics
{
    public const string MeterName = "Fumidai";

    public static readonly Meter Meter = new(MeterName);
}
