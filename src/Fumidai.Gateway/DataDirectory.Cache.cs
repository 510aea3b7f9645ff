namespace Fumidai.Gateway;

public sealed partial class DataDirectory
{
    /// <summary>Derived data about recordings (keyframes, window index, command list), rebuilt from the store at will.</summary>
    public string KeyframeCachePath => Path.Combine(Root, "cache", "keyframes");
}
