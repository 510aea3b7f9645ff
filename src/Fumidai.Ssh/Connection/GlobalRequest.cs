namespace Fumidai.Ssh.Connection;

/// <summary>A GLOBAL_REQUEST (RFC 4254 §4) with its request-specific data.</summary>
public sealed record GlobalRequest(string Name, bool WantReply, byte[] Data);
