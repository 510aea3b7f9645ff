using Fumidai.Recording.Chunks;
using Fumidai.Ssh.Keys;

namespace Fumidai.Gateway.Recordings;

/// <summary>Signs recording and audit manifests with the node's Ed25519 audit key (<c>audit_signing_key</c>).</summary>
public sealed class SshManifestSigner : IManifestSigner
{
    private const string Algorithm = "ssh-ed25519";
    private const int RawSignatureLength = 64;
    private readonly SshPrivateKey _key;

    public SshManifestSigner(SshPrivateKey key)
    {
        if (!key.SignatureAlgorithms.Contains(Algorithm))
            throw new ArgumentException($"the audit key must be ssh-ed25519, not {key.PublicKey.KeyType}", nameof(key));
        _key = key;
    }

    /// <summary>The OpenSSH fingerprint (<c>SHA256:…</c>), the same one <c>ssh-keygen -lf audit_signing_key.pub</c> prints.</summary>
    public string KeyId => _key.PublicKey.Fingerprint;

    // The SSH signature blob is string("ssh-ed25519") ‖ string(sig): the raw 64 bytes are its tail.
    public byte[] Sign(ReadOnlySpan<byte> data) => _key.Sign(Algorithm, data)[^RawSignatureLength..];
}
