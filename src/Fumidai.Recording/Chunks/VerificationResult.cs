namespace Fumidai.Recording.Chunks;

/// <summary>The outcome of checking one recording: OK, or the first bad or missing piece in plain words.</summary>
/// <param name="Prefix">The recording's object folder.</param>
/// <param name="Problem">Null when everything checked out, e.g. <c>chunk 3: SHA-256 mismatch</c>, <c>chunk 5 missing</c>.</param>
/// <param name="Manifest">The manifest when it could be read (even if its signature is bad).</param>
/// <param name="Unsealed">When there is no manifest: the chunks stored so far (a stream still being written has only these).</param>
public sealed record VerificationResult(string Prefix, string? Problem, RecordingManifest? Manifest, UnsealedStream? Unsealed = null)
{
    public bool Ok => Problem is null;

    public string Id => Manifest?.Id ?? Prefix.TrimEnd('/').Split('/')[^1];
}
