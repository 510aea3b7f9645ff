using System.Text.Json;

namespace Fumidai.Gateway.Sessions;

/// <summary>A session's command list as kept beside its keyframes (<c>commands.json</c>), so the player never replays the recording for it.</summary>
public static class CachedCommands
{
    /// <summary>The entry's name in a recording's keyframe folder.</summary>
    public const string Name = "commands.json";

    public static byte[] Write(IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)> commands) =>
        JsonSerializer.SerializeToUtf8Bytes(commands.Select(c => new StoredCommand(c.Offset.Ticks, c.Command, c.Mark)).ToList());

    /// <summary>The list, or null when the entry is damaged (it is rebuilt, not trusted).</summary>
    public static IReadOnlyList<(TimeSpan Offset, string Command, string? Mark)>? Read(byte[] bytes)
    {
        try
        {
            var stored = JsonSerializer.Deserialize<List<StoredCommand>>(bytes);
            return stored?.Select(c => (TimeSpan.FromTicks(c.Ticks), c.Command, c.Mark)).ToList();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record StoredCommand(long Ticks, string Command, string? Mark);
}
