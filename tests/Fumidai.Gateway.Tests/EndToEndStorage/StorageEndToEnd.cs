namespace Fumidai.Gateway.Tests.EndToEndStorage;

/// <summary>The storage end-to-end classes run one after another: they time real processes on a small machine, and one sets a
/// FUMIDAI__ variable that serve processes started meanwhile would inherit.</summary>
public static class StorageEndToEnd
{
    public const string Collection = "storage end-to-end";
}
