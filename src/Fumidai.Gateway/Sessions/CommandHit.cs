namespace Fumidai.Gateway.Sessions;

/// <summary>One command found by <c>sessions search</c>: where and when it was run, and by whom.</summary>
public sealed record CommandHit(string SessionId, string User, string Target, string Login, DateTimeOffset Time, string Command);
