namespace Fumidai.Recording.Terminal;

/// <summary>Receives the actions of <see cref="VtParser"/>, named after the DEC/ECMA-48 parser model (print, execute, dispatch).</summary>
internal interface IVtHandler
{
    /// <summary>A run of printable ASCII (0x20–0x7E), the common case, handed over without decoding.</summary>
    void PrintAscii(ReadOnlySpan<byte> text);

    /// <summary>One decoded graphic character outside ASCII (U+FFFD for invalid UTF-8).</summary>
    void Print(int codePoint);

    /// <summary>A C0 control character (BS, HT, LF, CR, ...).</summary>
    void Execute(byte control);

    /// <summary>An escape sequence <c>ESC intermediates final</c>; <paramref name="intermediate"/> is 0 when there is none.</summary>
    void EscDispatch(byte intermediate, byte final);

    /// <summary>A control sequence <c>CSI prefix params intermediate final</c>; prefix is 0, '?', '&gt;', '&lt;' or '='.</summary>
    void CsiDispatch(byte prefix, ReadOnlySpan<int> parameters, byte intermediate, byte final);

    /// <summary>An operating system command, possibly cut to the parser's bound.</summary>
    void OscDispatch(ReadOnlySpan<byte> data);
}
