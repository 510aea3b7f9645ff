namespace Fumidai.Recording.Chunks;

/// <summary>Checks manifest signatures against the audit public key.</summary>
public interface IManifestVerifier
{
    string KeyId { get; }

    bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);
}
