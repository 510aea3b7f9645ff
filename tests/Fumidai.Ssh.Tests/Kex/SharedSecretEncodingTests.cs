using Fumidai.Ssh.Kex;

namespace Fumidai.Ssh.Tests.Kex;

public class SharedSecretEncodingTests
{
    [Fact]
    public void Mpint_of_rfc7748_secret_is_length_prefixed_magnitude()
    {
        // 0x4a < 0x80: no sign byte, 32 bytes of magnitude.
        byte[] encoded = SharedSecretEncoding.AsMpint(Convert.FromHexString(X25519Vectors.Shared));
        Assert.Equal("00000020" + X25519Vectors.Shared, Convert.ToHexStringLower(encoded));
    }

    [Fact]
    public void Mpint_with_high_bit_gets_a_zero_sign_byte()
    {
        var raw = new byte[32];
        raw[0] = 0x80;
        raw[31] = 0x01;
        byte[] encoded = SharedSecretEncoding.AsMpint(raw);
        Assert.Equal("00000021" + "00" + Convert.ToHexStringLower(raw), Convert.ToHexStringLower(encoded));
    }

    [Fact]
    public void Mpint_drops_leading_zero_bytes()
    {
        var raw = new byte[32];
        raw[2] = 0x7f;
        raw[31] = 0x05;
        byte[] encoded = SharedSecretEncoding.AsMpint(raw);
        Assert.Equal("0000001e" + Convert.ToHexStringLower(raw.AsSpan(2)), Convert.ToHexStringLower(encoded));
    }

    [Fact]
    public void Mpint_drops_leading_zeros_then_adds_sign_byte_when_next_has_high_bit()
    {
        var raw = new byte[32];
        raw[1] = 0xff;
        byte[] encoded = SharedSecretEncoding.AsMpint(raw);
        Assert.Equal("00000020" + "00" + Convert.ToHexStringLower(raw.AsSpan(1)), Convert.ToHexStringLower(encoded));
    }

    [Fact]
    public void String_encoding_is_length_prefixed()
    {
        var raw = new byte[32];
        raw[0] = 0x80;
        byte[] encoded = SharedSecretEncoding.AsString(raw);
        Assert.Equal("00000020" + Convert.ToHexStringLower(raw), Convert.ToHexStringLower(encoded));
    }
}
