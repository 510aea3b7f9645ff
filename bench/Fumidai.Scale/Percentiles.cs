namespace Fumidai.Scale;

/// <summary>Nearest-rank percentiles of a set of milliseconds.</summary>
internal static class Percentiles
{
    public static string Describe(List<double> values)
    {
        if (values.Count == 0) return "no samples";
        values.Sort();
        double At(double p) => values[Math.Clamp((int)Math.Ceiling(p / 100 * values.Count) - 1, 0, values.Count - 1)];
        return $"n={values.Count} p50={At(50):F2} ms p90={At(90):F2} ms p99={At(99):F2} ms max={values[^1]:F2} ms";
    }
}
