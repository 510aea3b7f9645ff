namespace Fumidai.Recording.Chunks;

/// <summary>One sealed chunk as listed in the manifest: object name, sizes, SHA-256 of the stored bytes, chain value.</summary>
/// <param name="Index">0-based position in the recording.</param>
/// <param name="Name">Object name inside the recording's folder (e.g. <c>000003.cast.br</c>).</param>
/// <param name="RawBytes">Bytes of asciicast text before compression.</param>
/// <param name="StoredBytes">Bytes of the object as stored.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the stored bytes.</param>
/// <param name="Chain">Lower-case hex chain value after this chunk.</param>
public sealed record ChunkEntry(int Index, string Name, long RawBytes, long StoredBytes, string Sha256, string Chain);
