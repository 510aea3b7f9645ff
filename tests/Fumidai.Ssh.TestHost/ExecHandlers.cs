using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Fumidai.Ssh.Connection;

namespace Fumidai.Ssh.TestHost;

/// <summary>The test host's exec commands: echo, write N, exit N, stderr TEXT, sink, pattern-sha256 N, stall.</summary>
public static class ExecHandlers
{
    /// <summary>Runs one command on the channel and returns its exit status.</summary>
    public static async Task<uint> RunAsync(string command, SshChannel channel, CancellationToken cancellationToken)
    {
        var parts = command.Split(' ', 2, StringSplitOptions.TrimEntries);
        string argument = parts.Length > 1 ? parts[1] : "";
        switch (parts[0])
        {
            case "echo":
                await EchoAsync(channel, cancellationToken);
                return 0;
            case "write":
                await WritePatternAsync(channel, long.Parse(argument), cancellationToken);
                return 0;
            case "exit":
                return uint.Parse(argument);
            case "stderr":
                await channel.WriteExtendedAsync(Encoding.UTF8.GetBytes(argument + "\n"), cancellationToken);
                return 0;
            case "sink":
            {
                var (count, hash) = await SinkAsync(channel, cancellationToken);
                await channel.WriteAsync(Encoding.ASCII.GetBytes($"{count} {hash}\n"), cancellationToken);
                return 0;
            }
            case "pattern-sha256":
                await channel.WriteAsync(Encoding.ASCII.GetBytes(PatternSha256(long.Parse(argument)) + "\n"), cancellationToken);
                return 0;
            case "true":
                return 0;
            case "stall":
                // Never reads: the client's writes must stall on this channel's window and nowhere else.
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return 0;
            default:
                await channel.WriteExtendedAsync(Encoding.UTF8.GetBytes($"unknown command: {parts[0]}\n"), cancellationToken);
                return 127;
        }
    }

    private static async Task EchoAsync(SshChannel channel, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await channel.ReadAsync(buffer, cancellationToken)) > 0)
                await channel.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<(long Count, string Sha256)> SinkAsync(SshChannel channel, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        long total = 0;
        try
        {
            int read;
            while ((read = await channel.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>Bytes 0..N-1 of the deterministic pattern (byte i = i*7 mod 251), so both ends can hash it.</summary>
    public static void FillPattern(Span<byte> destination, long offset)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (byte)((offset + i) * 7 % 251);
    }

    public static string PatternSha256(long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[251 * 256];
        FillPattern(block, 0);
        for (long done = 0; done < length;)
        {
            // The pattern repeats every 251 bytes and the block is a multiple of that, so it can be reused.
            int n = (int)Math.Min(block.Length, length - done);
            hash.AppendData(block, 0, n);
            done += n;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task WritePatternAsync(SshChannel channel, long length, CancellationToken cancellationToken)
    {
        var block = new byte[251 * 128];
        FillPattern(block, 0);
        for (long done = 0; done < length;)
        {
            int n = (int)Math.Min(block.Length, length - done);
            await channel.WriteAsync(block.AsMemory(0, n), cancellationToken);
            done += n;
        }
    }
}
