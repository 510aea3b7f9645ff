using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Authentication;

/// <summary>The result of successful authentication: who, by which methods, with which key, and the application's state.</summary>
public sealed record AuthenticatedUser(string UserName, IReadOnlyList<string> Methods, SshPublicKey? PublicKey, object? State);
