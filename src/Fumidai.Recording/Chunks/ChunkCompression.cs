namespace Fumidai.Recording.Chunks;

/// <summary>How chunk bodies are compressed; both are in the BCL and in every auditor's toolbox (<c>gunzip</c>, <c>brotli -d</c>).</summary>
public enum ChunkCompression
{
    Gzip,
    Brotli,
}
