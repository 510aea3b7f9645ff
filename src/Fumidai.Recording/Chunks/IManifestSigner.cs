namespace Fumidai.Recording.Chunks;

/// <summary>Signs manifests with the node's audit key (Ed25519: 64-byte raw signatures).</summary>
public interface IManifestSigner
{
    /// <summary>Names the key in the manifest (OpenSSH fingerprint, <c>SHA256:…</c>), so auditors can pick the right public key.</summary>
    string KeyId { get; }

    byte[] Sign(ReadOnlySpan<byte> data);
}
