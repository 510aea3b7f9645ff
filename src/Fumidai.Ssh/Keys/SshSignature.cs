using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Keys;

/// <summary>Encodes and splits the SSH signature blob <c>string algorithm, string signature</c> (RFC 4253 §6.6).</summary>
internal static class SshSignature
{
    /// <summary>Largest signature blob accepted: RSA 16384-bit signatures are 2 KiB; anything far larger is hostile.</summary>
    public const int MaxBlobLength = 8 * 1024;

    public static byte[] Encode(string algorithm, ReadOnlySpan<byte> signature)
    {
        using var writer = new SshWriter(signature.Length + algorithm.Length + 16);
        writer.WriteString(algorithm);
        writer.WriteBinary(signature);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Splits a blob; false (never an exception) for anything malformed, because Verify must not throw on peer input.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> blob, out string algorithm, out ReadOnlySpan<byte> signature)
    {
        algorithm = "";
        signature = default;
        if (blob.Length > MaxBlobLength) return false;
        try
        {
            var reader = new SshReader(blob);
            algorithm = reader.ReadString(SshLimits.MaxIdentifierLength);
            signature = reader.ReadBinary(MaxBlobLength);
            return reader.AtEnd;
        }
        catch (SshProtocolException)
        {
            return false;
        }
    }

    public static bool IsAllowed(string algorithm, IReadOnlyCollection<string>? allowedAlgorithms) =>
        allowedAlgorithms is null || allowedAlgorithms.Contains(algorithm);
}
