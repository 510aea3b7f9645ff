using System.Text;
using Fumidai.Ssh.Connection;

namespace Fumidai.Gateway.Bastion;

/// <summary>Reads one line typed into an operator's raw-mode terminal, echoing it and honouring backspace and Ctrl-C/D.</summary>
public static class TerminalLineReader
{
    public const int MaxLength = 128;

    /// <summary>The line, or null when the operator pressed Ctrl-C or Ctrl-D or closed the channel.</summary>
    /// <param name="typedAhead">Bytes received after the end of a line (typed ahead or pasted): read before the channel, and
    /// left there for the next line or for the target.</param>
    public static Task<string?> ReadLineAsync(SshChannel channel, IdleMonitor idle, List<byte> typedAhead, CancellationToken cancellationToken) =>
        ReadLineAsync(channel.ReadAsync, channel.WriteAsync, idle.Touch, typedAhead, cancellationToken);

    /// <summary>The same over any byte source and echo sink; <paramref name="input"/> is called for each read from the operator.</summary>
    internal static async Task<string?> ReadLineAsync(Func<Memory<byte>, CancellationToken, ValueTask<int>> read,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, Action input, List<byte> typedAhead, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var buffer = new byte[256];
        var pending = new PendingKey();
        while (true)
        {
            int count;
            if (typedAhead.Count > 0)
            {
                count = Math.Min(buffer.Length, typedAhead.Count);
                typedAhead.CopyTo(0, buffer, 0, count);
                typedAhead.RemoveRange(0, count);
            }
            else
            {
                count = await read(buffer, cancellationToken).ConfigureAwait(false);
                if (count == 0) return null;
                input();
            }
            var echo = new StringBuilder();
            for (int i = 0; i < count; i++)
            {
                byte b = buffer[i];
                if (pending.Swallows(b)) continue;
                switch (b)
                {
                    case (byte)'\r' or (byte)'\n':
                        int rest = b == '\r' && i + 1 < count && buffer[i + 1] == '\n' ? i + 2 : i + 1;
                        typedAhead.InsertRange(0, buffer.AsSpan(rest, count - rest).ToArray());
                        await write(Encoding.UTF8.GetBytes(echo.Append("\r\n").ToString()), cancellationToken).ConfigureAwait(false);
                        return line.ToString().Trim();
                    case 3 or 4:
                        await write(Encoding.UTF8.GetBytes(echo.Append("^C\r\n").ToString()), cancellationToken).ConfigureAwait(false);
                        return null;
                    case 0x7f or 8:
                        if (line.Length > 0)
                        {
                            line.Length--;
                            echo.Append("\b \b");
                        }
                        break;
                    case 0x1b:
                        pending.Escape();
                        break;
                    case >= 0x20 and < 0x7f or >= 0x80:
                        // Names are ASCII. Any other character stays in the line as U+FFFD: dropped, it would turn a
                        // look-alike (a Cyrillic letter, an accent typed after a letter) into a name it is not.
                        char c = b < 0x80 ? (char)b : '\uFFFD';
                        if (line.Length < MaxLength)
                        {
                            line.Append(c);
                            echo.Append(c);
                        }
                        break;
                    // Other control characters are ignored: this is a prompt, not an editor.
                }
            }
            if (echo.Length > 0) await write(Encoding.UTF8.GetBytes(echo.ToString()), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The rest of a key press that is not one character of the line: an escape sequence (cursor and function keys, Alt with
    /// a key), skipped whole, or the continuation bytes of a UTF-8 character. Either may arrive split across reads.
    /// </summary>
    private struct PendingKey
    {
        private const int None = 0, AfterEscape = 1, ControlSequence = 2, SingleShift = 3;
        private int _escape;
        private int _continuation;

        public void Escape() => _escape = AfterEscape;

        /// <summary>True when <paramref name="b"/> belongs to a sequence already started, and is dropped.</summary>
        public bool Swallows(byte b)
        {
            if (b < 0x20 || b == 0x7f)
            {
                // Controls always act, so Enter after a lone Esc still ends the line.
                _escape = None;
                _continuation = 0;
                return false;
            }
            if (_escape != None && b < 0x80)
            {
                _escape = _escape switch
                {
                    AfterEscape => b == '[' ? ControlSequence : b == 'O' ? SingleShift : None,
                    // Parameters and intermediates (0x20-0x3f) continue a control sequence; a final byte ends it.
                    ControlSequence => b >= 0x40 ? None : ControlSequence,
                    _ => None,
                };
                return true;
            }
            _escape = None;
            if (_continuation > 0 && b is >= 0x80 and < 0xc0)
            {
                _continuation--;
                return true;
            }
            _continuation = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
            return false;
        }
    }
}
