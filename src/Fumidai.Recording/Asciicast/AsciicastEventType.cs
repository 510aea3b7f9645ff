namespace Fumidai.Recording.Asciicast;

/// <summary>The event codes of asciicast v2.</summary>
public enum AsciicastEventType
{
    /// <summary><c>o</c>: bytes written to the terminal.</summary>
    Output,

    /// <summary><c>i</c>: bytes typed by the operator.</summary>
    Input,

    /// <summary><c>r</c>: terminal resized, data is <c>COLSxROWS</c>.</summary>
    Resize,

    /// <summary><c>m</c>: a marker (target hop, exec command, file transfer).</summary>
    Marker,
}
