using System.Text;
using Fumidai.Ssh.Wire;

namespace Fumidai.Cli.Output;

/// <summary>A writer that passes text on with <see cref="ControlText"/> escapes; by default a line ends only through <c>WriteLine</c>.</summary>
/// <remarks>
/// Every command writes through one of these, so a user name, command or message that holds a newline or an escape code cannot
/// forge a line or drive the reader's terminal, whichever command prints it. A surrogate pair split across two writes is kept
/// together. The inner writer is not disposed (it is usually the process's own stdout).
/// </remarks>
public sealed class EscapingWriter : TextWriter
{
    private readonly TextWriter _inner;
    private readonly bool _keepLineBreaks;
    private readonly StringBuilder _buffer = new();
    private char? _pendingHighSurrogate;

    /// <param name="inner">Where the escaped text goes.</param>
    /// <param name="keepLineBreaks">Let <c>\n</c> through as well: for text whose line structure is ours (help), not for values.</param>
    public EscapingWriter(TextWriter inner, bool keepLineBreaks = false) : base(inner.FormatProvider)
    {
        _inner = inner;
        _keepLineBreaks = keepLineBreaks;
    }

    public override Encoding Encoding => _inner.Encoding;

    public override void Write(char value) => Write(new ReadOnlySpan<char>(in value));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        if (buffer.IsEmpty) return;
        _buffer.Clear();
        if (_pendingHighSurrogate is { } high) _buffer.Append(high);
        _pendingHighSurrogate = null;
        // A high surrogate at the end may be the first half of a pair whose second half comes with the next write.
        if (char.IsHighSurrogate(buffer[^1]))
        {
            _pendingHighSurrogate = buffer[^1];
            buffer = buffer[..^1];
        }
        _buffer.Append(buffer);
        WriteEscaped();
    }

    public override void WriteLine()
    {
        FlushPendingSurrogate();
        _inner.WriteLine();
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        WriteLine();
    }

    public override void WriteLine(ReadOnlySpan<char> buffer)
    {
        Write(buffer);
        WriteLine();
    }

    // The base class writes CoreNewLine through WriteAsync(char[]), which would escape it; line ends go through WriteLine().
    public override Task WriteLineAsync()
    {
        WriteLine();
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(StringBuilder? value, CancellationToken cancellationToken = default)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override void Flush()
    {
        FlushPendingSurrogate();
        _inner.Flush();
    }

    public override async Task FlushAsync()
    {
        FlushPendingSurrogate();
        await _inner.FlushAsync().ConfigureAwait(false);
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        FlushPendingSurrogate();
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void FlushPendingSurrogate()
    {
        if (_pendingHighSurrogate is not { } high) return;
        _pendingHighSurrogate = null;
        _buffer.Clear().Append(high);
        WriteEscaped();
    }

    private void WriteEscaped()
    {
        string text = _buffer.ToString();
        if (ControlText.IndexOfUnsafe(text) < 0)
        {
            _inner.Write(text);
            return;
        }
        if (!_keepLineBreaks)
        {
            _inner.Write(ControlText.Escape(text));
            return;
        }
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (i > 0) _inner.Write('\n');
            _inner.Write(ControlText.Escape(lines[i]));
        }
    }
}
