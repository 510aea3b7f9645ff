namespace Fumidai.Recording.Storage;

/// <summary>S3 Object Lock retention requested for one object: <c>GOVERNANCE</c> or <c>COMPLIANCE</c> until a date.</summary>
/// <remarks>The filesystem store ignores it: a local directory cannot promise immutability.</remarks>
public sealed record ObjectRetention(string Mode, DateTimeOffset RetainUntil)
{
    /// <summary>Retention of <paramref name="days"/> days from now in <paramref name="mode"/>.</summary>
    public static ObjectRetention ForDays(string mode, int days) => new(mode, DateTimeOffset.UtcNow.AddDays(days));
}
