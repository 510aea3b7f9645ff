using System.Text;
using Fumidai.Ssh.Connection;

namespace Fumidai.Gateway.Bastion;

/// <summary>Reads one line typed into an operator's raw-mode terminal, echoing it and honouring backspace and Ctrl-C/D.</summary>
public static class TerminalLineReader
{
    public const int MaxLength = 128;

    /// <summary>The line, or null when the operator pressed Ctrl-C or Ctrl-D or closed the channel.</summary>
    public static async Task<string?> ReadLineAsync(SshChannel channel, IdleMonitor idle, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var buffer = new byte[256];
        while (true)
        {
            int read = await channel.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0) return null;
            idle.Touch();
            var echo = new StringBuilder();
            for (int i = 0; i < read; i++)
            {
                byte b = buffer[i];
                switch (b)
                {
                    case (byte)'\r' or (byte)'\n':
                        await channel.WriteAsync(Encoding.UTF8.GetBytes(echo.Append("\r\n").ToString()), cancellationToken).ConfigureAwait(false);
                        return line.ToString().Trim();
                    case 3 or 4:
                        await channel.WriteAsync(Encoding.UTF8.GetBytes(echo.Append("^C\r\n").ToString()), cancellationToken).ConfigureAwait(false);
                        return null;
                    case 0x7f or 8:
                        if (line.Length > 0)
                        {
                            line.Length--;
                            echo.Append("\b \b");
                        }
                        break;
                    case >= 0x20 and < 0x7f:
                        if (line.Length < MaxLength)
                        {
                            line.Append((char)b);
                            echo.Append((char)b);
                        }
                        break;
                    // Escape sequences (arrows) and other bytes are ignored: this is a prompt, not an editor.
                }
            }
            if (echo.Length > 0) await channel.WriteAsync(Encoding.UTF8.GetBytes(echo.ToString()), cancellationToken).ConfigureAwait(false);
        }
    }
}
