using System.Buffers;
using System.Text;

namespace Fumidai.Recording.Terminal;

/// <summary>
/// The DEC/ECMA-48 escape sequence parser (after Paul Williams' state diagram, as used by xterm and VTE),
/// decoding UTF-8 incrementally so that sequences and characters may be split across chunks.
/// </summary>
/// <remarks>
/// Allocation-free after construction: parameters and OSC strings go into fixed buffers, and whatever
/// exceeds them is dropped, so a 10 MB OSC string or a flood of parameters costs no memory.
/// </remarks>
internal sealed class VtParser
{
    /// <summary>More parameters than this are ignored (xterm keeps 30; nothing we interpret uses more than 3).</summary>
    public const int MaxParameters = 32;

    /// <summary>Longest OSC payload kept; the rest of the string is consumed and dropped.</summary>
    public const int MaxOscLength = 4096;

    private const int MaxParameterValue = 65535;
    private const int ReplacementCharacter = 0xFFFD;

    private enum State : byte
    {
        Ground,
        Escape,
        EscapeIntermediate,
        CsiEntry,
        CsiParam,
        CsiIntermediate,
        CsiIgnore,
        OscString,
        OscEscape,
        StringIgnore,
        StringIgnoreEscape,
    }

    private readonly IVtHandler _handler;
    private readonly int[] _params = new int[MaxParameters];
    private readonly byte[] _osc = new byte[MaxOscLength];
    private State _state;
    private int _paramCount;
    private bool _paramStarted;
    private byte _prefix;
    private byte _intermediate;
    private int _oscLength;

    // Incremental UTF-8: the code point so far, how many continuation bytes remain, and the lowest valid
    // value for the sequence length (to reject overlong forms).
    private int _utf8CodePoint;
    private int _utf8Remaining;
    private int _utf8Minimum;

    public VtParser(IVtHandler handler)
    {
        _handler = handler;
    }

    /// <summary>Feeds a chunk of terminal output; any split sequence continues with the next chunk.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        int i = 0;
        while (i < data.Length)
        {
            if (_state == State.Ground && _utf8Remaining == 0)
            {
                // Fast path: hand a whole run of printable ASCII to the screen at once.
                int start = i;
                while (i < data.Length && (uint)(data[i] - 0x20) < 0x5F)
                    i++;
                if (i > start)
                {
                    _handler.PrintAscii(data[start..i]);
                    continue;
                }
                // Whole multi-byte characters (CJK text) are decoded in one go; a split one takes the slow path.
                if (data[i] >= 0xC2 && Rune.DecodeFromUtf8(data[i..], out var rune, out int consumed) == OperationStatus.Done)
                {
                    PrintDecoded(rune.Value);
                    i += consumed;
                    continue;
                }
            }
            Step(data[i]);
            i++;
        }
    }

    /// <summary>Ends the stream: a character left incomplete becomes U+FFFD and any open sequence is dropped.</summary>
    public void Flush()
    {
        if (_utf8Remaining > 0)
        {
            _utf8Remaining = 0;
            _handler.Print(ReplacementCharacter);
        }
        _state = State.Ground;
    }

    private void Step(byte b)
    {
        if (_utf8Remaining > 0)
        {
            if ((b & 0xC0) == 0x80)
            {
                _utf8CodePoint = (_utf8CodePoint << 6) | (b & 0x3F);
                if (--_utf8Remaining == 0)
                {
                    int cp = _utf8CodePoint;
                    bool valid = cp >= _utf8Minimum && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
                    PrintDecoded(valid ? cp : ReplacementCharacter);
                }
                return;
            }
            // A sequence cut short: replace what we had, then treat this byte afresh.
            _utf8Remaining = 0;
            PrintDecoded(ReplacementCharacter);
        }

        if ((_state == State.OscEscape || _state == State.StringIgnoreEscape) && StringEscape(b))
            return;
        if (b == 0x1B)
        {
            EnterEscape();
            return;
        }
        if (b == 0x18 || b == 0x1A)
        {
            // CAN and SUB abort any sequence (SUB also shows as a replacement character in xterm; ignore it).
            _state = State.Ground;
            return;
        }

        switch (_state)
        {
            case State.Ground:
                if (b < 0x20 || b == 0x7F)
                {
                    if (b != 0x7F)
                        _handler.Execute(b);
                }
                else if (b < 0x80)
                {
                    _handler.PrintAscii(new ReadOnlySpan<byte>(in b));
                }
                else
                {
                    StartUtf8(b);
                }
                break;

            case State.Escape:
                if (b < 0x20)
                    _handler.Execute(b);
                else if (b <= 0x2F)
                {
                    _intermediate = b;
                    _state = State.EscapeIntermediate;
                }
                else if (b == '[')
                    EnterCsi();
                else if (b == ']')
                {
                    _oscLength = 0;
                    _state = State.OscString;
                }
                else if (b == 'P' || b == 'X' || b == '^' || b == '_')
                    _state = State.StringIgnore; // DCS, SOS, PM, APC: consumed until ST, not interpreted
                else if (b < 0x7F)
                {
                    _handler.EscDispatch(0, b);
                    _state = State.Ground;
                }
                else
                    _state = State.Ground;
                break;

            case State.EscapeIntermediate:
                if (b < 0x20)
                    _handler.Execute(b);
                else if (b <= 0x2F)
                    _intermediate = b;
                else
                {
                    if (b < 0x7F)
                        _handler.EscDispatch(_intermediate, b);
                    _state = State.Ground;
                }
                break;

            case State.CsiEntry:
            case State.CsiParam:
                if (b < 0x20)
                    _handler.Execute(b);
                else if (b >= '0' && b <= '9')
                {
                    _state = State.CsiParam;
                    AddDigit(b - '0');
                }
                else if (b == ';' || b == ':')
                {
                    // Sub-parameters (SGR 38:2:...) are flattened: nothing we interpret uses them.
                    _state = State.CsiParam;
                    NextParameter();
                }
                else if (b >= 0x3C && b <= 0x3F)
                {
                    if (_state == State.CsiEntry)
                    {
                        _prefix = b;
                        _state = State.CsiParam;
                    }
                    else
                        _state = State.CsiIgnore;
                }
                else if (b <= 0x2F)
                {
                    _intermediate = b;
                    _state = State.CsiIntermediate;
                }
                else if (b <= 0x7E)
                    DispatchCsi(b);
                else
                    _state = State.CsiIgnore;
                break;

            case State.CsiIntermediate:
                if (b < 0x20)
                    _handler.Execute(b);
                else if (b <= 0x2F)
                    _intermediate = b;
                else if (b >= 0x40 && b <= 0x7E)
                    DispatchCsi(b);
                else
                    _state = State.CsiIgnore;
                break;

            case State.CsiIgnore:
                if (b < 0x20)
                    _handler.Execute(b);
                else if (b >= 0x40 && b <= 0x7E)
                    _state = State.Ground;
                break;

            case State.OscString:
                if (b == 0x07)
                    DispatchOsc();
                else if (b >= 0x20 && _oscLength < MaxOscLength)
                    _osc[_oscLength++] = b;
                break;

            case State.StringIgnore:
                break;
        }
    }

    private void EnterEscape()
    {
        // ESC inside an OSC or DCS string is the first half of ST (ESC \); anything else after it aborts
        // the string and starts a new escape sequence, as xterm does.
        if (_state == State.OscString)
        {
            _state = State.OscEscape;
            return;
        }
        if (_state == State.StringIgnore)
        {
            _state = State.StringIgnoreEscape;
            return;
        }
        _state = State.Escape;
        _intermediate = 0;
    }

    private void StartUtf8(byte b)
    {
        if (b >= 0xC2 && b <= 0xDF)
        {
            _utf8CodePoint = b & 0x1F;
            _utf8Remaining = 1;
            _utf8Minimum = 0x80;
        }
        else if (b >= 0xE0 && b <= 0xEF)
        {
            _utf8CodePoint = b & 0x0F;
            _utf8Remaining = 2;
            _utf8Minimum = 0x800;
        }
        else if (b >= 0xF0 && b <= 0xF4)
        {
            _utf8CodePoint = b & 0x07;
            _utf8Remaining = 3;
            _utf8Minimum = 0x10000;
        }
        else
        {
            PrintDecoded(ReplacementCharacter);
        }
    }

    private void PrintDecoded(int cp)
    {
        // C1 controls arriving as UTF-8 (U+0080..U+009F) are not acted upon, like xterm in UTF-8 mode.
        if (cp >= 0xA0)
            _handler.Print(cp);
    }

    private void EnterCsi()
    {
        _state = State.CsiEntry;
        _paramCount = 0;
        _paramStarted = false;
        _prefix = 0;
        _intermediate = 0;
        _params[0] = 0;
    }

    private void AddDigit(int digit)
    {
        if (_paramCount >= MaxParameters)
            return;
        _paramStarted = true;
        int v = _params[_paramCount] * 10 + digit;
        _params[_paramCount] = v > MaxParameterValue ? MaxParameterValue : v;
    }

    private void NextParameter()
    {
        if (_paramCount >= MaxParameters)
            return;
        _paramCount++;
        _paramStarted = false;
        if (_paramCount < MaxParameters)
            _params[_paramCount] = 0;
    }

    private void DispatchCsi(byte final)
    {
        // An empty trailing parameter still counts ("CSI ;H" has two defaults) unless the list is empty.
        int count = _paramCount + (_paramStarted || _paramCount > 0 ? 1 : 0);
        if (count > MaxParameters)
            count = MaxParameters;
        _handler.CsiDispatch(_prefix, _params.AsSpan(0, count), _intermediate, final);
        _state = State.Ground;
    }

    private void DispatchOsc()
    {
        _handler.OscDispatch(_osc.AsSpan(0, _oscLength));
        _state = State.Ground;
    }

    /// <summary>Handles the byte after ESC inside a string: <c>\</c> completes ST, anything else starts a new sequence.</summary>
    private bool StringEscape(byte b)
    {
        if (_state == State.OscEscape)
        {
            if (b == '\\')
            {
                DispatchOsc();
                return true;
            }
            _state = State.Escape;
            _intermediate = 0;
            return false;
        }
        if (_state == State.StringIgnoreEscape)
        {
            if (b == '\\')
            {
                _state = State.Ground;
                return true;
            }
            _state = State.Escape;
            _intermediate = 0;
            return false;
        }
        return false;
    }
}
