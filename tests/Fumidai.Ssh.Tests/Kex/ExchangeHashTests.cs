using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Fumidai.Ssh.Kex;

namespace Fumidai.Ssh.Tests.Kex;

public class ExchangeHashTests
{
    private static byte[] Str(ReadOnlySpan<byte> value)
    {
        var result = new byte[4 + value.Length];
        BinaryPrimitives.WriteUInt32BigEndian(result, (uint)value.Length);
        value.CopyTo(result.AsSpan(4));
        return result;
    }

    [Theory]
    [InlineData("SHA256")]
    [InlineData("SHA384")]
    [InlineData("SHA512")]
    public void Matches_manual_concatenation(string hashName)
    {
        var hash = new HashAlgorithmName(hashName);
        const string vc = "SSH-2.0-OpenSSH_9.9";
        const string vs = "SSH-2.0-Fumidai_0.1";
        byte[] ic = [20, .. Enumerable.Range(0, 300).Select(i => (byte)i)];
        byte[] @is = [20, .. Enumerable.Range(0, 150).Select(i => (byte)(255 - i))];
        byte[] ks = [0, 0, 0, 11, .. "ssh-ed25519"u8, 0, 0, 0, 32, .. Enumerable.Repeat((byte)7, 32)];
        byte[] qc = Enumerable.Repeat((byte)0xC1, 1216).ToArray();
        byte[] qs = Enumerable.Repeat((byte)0x5E, 1120).ToArray();
        byte[] k = [0, 0, 0, 32, .. Enumerable.Repeat((byte)0xAB, 32)];

        byte[] manual =
        [
            .. Str(Encoding.ASCII.GetBytes(vc)), .. Str(Encoding.ASCII.GetBytes(vs)),
            .. Str(ic), .. Str(@is), .. Str(ks), .. Str(qc), .. Str(qs), .. k,
        ];
        using var reference = IncrementalHash.CreateHash(hash);
        reference.AppendData(manual);

        Assert.Equal(reference.GetHashAndReset(), ExchangeHash.Compute(hash, vc, vs, ic, @is, ks, qc, qs, k));
    }

    [Fact]
    public void Every_field_counts()
    {
        byte[] Compute(string vc = "SSH-2.0-a", byte[]? qs = null, byte[]? k = null) =>
            ExchangeHash.Compute(HashAlgorithmName.SHA256, vc, "SSH-2.0-b", [20], [20], [1], [2], qs ?? [3], k ?? [0, 0, 0, 1, 4]);

        byte[] baseline = Compute();
        Assert.NotEqual(baseline, Compute(vc: "SSH-2.0-c"));
        Assert.NotEqual(baseline, Compute(qs: [3, 3]));
        Assert.NotEqual(baseline, Compute(k: [0, 0, 0, 1, 5]));
    }

    [Theory]
    [InlineData("SSH-2.0-x\r\n")]
    [InlineData("SSH-2.0-x\n")]
    public void Version_with_line_ending_is_a_caller_error(string version)
    {
        Assert.Throws<ArgumentException>(() =>
            ExchangeHash.Compute(HashAlgorithmName.SHA256, version, "SSH-2.0-y", [20], [20], [], [], [], []));
    }
}
