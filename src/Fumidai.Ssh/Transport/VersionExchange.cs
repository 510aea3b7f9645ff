using System.Text;

namespace Fumidai.Ssh.Transport;

/// <summary>The identification string exchange (RFC 4253 §4.2), with limits on line length and preceding lines.</summary>
internal static class VersionExchange
{
    /// <summary>RFC 4253: at most 255 characters including CR LF.</summary>
    public const int MaxLineLength = 255;

    /// <summary>Lines a server may send before its version line (OpenSSH's client allows the same order of magnitude).</summary>
    public const int MaxPrecedingLines = 1024;

    public const string SoftwareVersion = "SSH-2.0-Fumidai_0.1";

    public static async ValueTask SendAsync(Stream stream, string version, CancellationToken cancellationToken)
    {
        var bytes = Encoding.ASCII.GetBytes(version + "\r\n");
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the peer's version line; returns it without CR LF, and any bytes read past it (the first packet).</summary>
    /// <param name="allowPrecedingLines">True in the client role: servers may send banner lines first; clients may not.</param>
    public static async ValueTask<(string Version, byte[] Leftover)> ReceiveAsync(Stream stream, bool allowPrecedingLines, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxLineLength * 2];
        int filled = 0;
        int lines = 0;
        string? firstLine = null;
        while (true)
        {
            int newline = Array.IndexOf(buffer, (byte)'\n', 0, filled);
            if (newline < 0)
            {
                if (filled >= MaxLineLength)
                    throw new SshProtocolException(DisconnectReason.ProtocolError, "identification line too long");
                int read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                    throw new SshConnectionLostException("connection closed during version exchange")
                    {
                        InsteadOfVersion = firstLine ?? Printable(buffer.AsSpan(0, filled)),
                    };
                filled += read;
                continue;
            }
            if (newline + 1 > MaxLineLength)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "identification line too long");
            int end = newline > 0 && buffer[newline - 1] == '\r' ? newline - 1 : newline;
            var line = buffer.AsSpan(0, end);
            var leftover = buffer.AsSpan(newline + 1, filled - newline - 1).ToArray();
            if (line.StartsWith("SSH-"u8))
            {
                foreach (byte b in line)
                {
                    if (b < 0x20 || b > 0x7e)
                        throw new SshProtocolException(DisconnectReason.ProtocolError, "identification line has control characters");
                }
                string version = Encoding.ASCII.GetString(line);
                if (!version.StartsWith("SSH-2.0-", StringComparison.Ordinal) && !version.StartsWith("SSH-1.99-", StringComparison.Ordinal))
                    throw new SshProtocolException(DisconnectReason.ProtocolVersionNotSupported, "peer does not speak SSH-2.0");
                return (version, leftover);
            }
            if (!allowPrecedingLines)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "expected an SSH identification line");
            firstLine ??= Printable(line);
            if (++lines > MaxPrecedingLines)
                throw new SshProtocolException(DisconnectReason.ProtocolError, "too many lines before the identification line");
            leftover.CopyTo(buffer, 0);
            filled = leftover.Length;
        }
    }

    /// <summary>What a peer sent instead of a version line, safe to show: printable ASCII, at most 60 characters.</summary>
    private static string Printable(ReadOnlySpan<byte> text)
    {
        var shown = new StringBuilder(Math.Min(text.Length, 60));
        foreach (byte b in text)
        {
            if (shown.Length == 60) break;
            if (b is (byte)'\r' or (byte)'\n') break;
            shown.Append(b is >= 0x20 and <= 0x7e ? (char)b : '?');
        }
        return shown.ToString();
    }
}
