namespace Fumidai.Recording.Chunks;

/// <summary>Progress of a long verification run: recordings done out of the total found, and the last result.</summary>
public sealed record VerificationProgress(int Done, int Total, VerificationResult Last);
