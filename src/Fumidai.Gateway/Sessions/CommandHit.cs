namespace Fumidai.Gateway.Sessions;

/// <summary>One command found by <c>sessions search</c>: where and when it was run, by whom, and why it was read from the keys
/// rather than the screen (null: it was shown at a prompt).</summary>
public sealed record CommandHit(string SessionId, string User, string Target, string Login, DateTimeOffset Time, string Command, string? Mark = null);
