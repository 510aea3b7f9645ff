using Fumidai.Ssh.Keys;

namespace Fumidai.Ssh.Transport;

/// <summary>Client role: decides whether the server's host key is trusted; throws to refuse (with both fingerprints).</summary>
public delegate ValueTask HostKeyVerifier(SshPublicKey presentedKey, CancellationToken cancellationToken);
