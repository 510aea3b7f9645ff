namespace Fumidai.Recording.Chunks;

/// <summary>A manifest as read from the store, with the exact signed bytes and the signature to check.</summary>
public sealed record SignedManifest(RecordingManifest Manifest, byte[] Body, string Algorithm, string KeyId, byte[] Signature)
{
    /// <summary>True when the signature is a valid Ed25519 signature of <see cref="Body"/> by <paramref name="verifier"/>'s key.</summary>
    public bool IsValid(IManifestVerifier verifier) =>
        Algorithm == ManifestCodec.Algorithm && verifier.Verify(ManifestCodec.SignedData(Body), Signature);
}
