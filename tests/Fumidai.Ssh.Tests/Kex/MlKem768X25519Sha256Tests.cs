using System.Security.Cryptography;
using Fumidai.Ssh.Kex;
using NSec.Cryptography;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Fumidai.Ssh.Tests.Kex;

public class MlKem768X25519Sha256Tests
{
    private static readonly MlKem768X25519Sha256 Method = MlKem768X25519Sha256.Instance;

    [Fact]
    public void Client_and_server_agree_with_draft_sizes()
    {
        Assert.Equal("mlkem768x25519-sha256", Method.Name);
        Assert.Equal(HashAlgorithmName.SHA256, Method.HashAlgorithm);

        using var client = Method.StartAsClient();
        Assert.Equal(1184 + 32, client.ClientEphemeral.Length);
        var server = Method.RespondAsServer(client.ClientEphemeral);
        Assert.Equal(1088 + 32, server.ServerEphemeral.Length);

        byte[] clientK = client.ComputeSharedSecret(server.ServerEphemeral);
        Assert.Equal(server.EncodedSharedSecret, clientK);
        // string(SHA-256 output): always 4 + 32 bytes, never an mpint.
        Assert.Equal(36, clientK.Length);
        Assert.Equal(new byte[] { 0, 0, 0, 32 }, clientK[..4]);
    }

    [Fact]
    public void Server_output_matches_an_independent_decapsulation()
    {
        // Build C_INIT by hand with BouncyCastle and NSec, then recompute K from S_REPLY ourselves:
        // checks the layout (ML-KEM first) and K = string(SHA-256(K_PQ || K_CL)) without trusting our client code.
        var generator = new MLKemKeyPairGenerator();
        generator.Init(new MLKemKeyGenerationParameters(new SecureRandom(), MLKemParameters.ml_kem_768));
        var pair = generator.GenerateKeyPair();
        using var x25519 = Key.Create(KeyAgreementAlgorithm.X25519);
        byte[] init = [.. ((MLKemPublicKeyParameters)pair.Public).GetEncoded(), .. x25519.PublicKey.Export(KeyBlobFormat.RawPublicKey)];

        var server = Method.RespondAsServer(init);

        var pq = new byte[32];
        var decapsulator = new MLKemDecapsulator(MLKemParameters.ml_kem_768);
        decapsulator.Init(pair.Private);
        decapsulator.Decapsulate(server.ServerEphemeral.AsSpan(0, 1088), pq);
        byte[] cl = RawX25519(x25519, server.ServerEphemeral.AsSpan(1088));

        Assert.Equal(ExpectedK(pq, cl), server.EncodedSharedSecret);
    }

    [Fact]
    public void Client_output_matches_an_independent_encapsulation()
    {
        using var client = Method.StartAsClient();
        var encapsulationKey = MLKemPublicKeyParameters.FromEncoding(MLKemParameters.ml_kem_768, client.ClientEphemeral[..1184]);
        var encapsulator = new MLKemEncapsulator(MLKemParameters.ml_kem_768);
        encapsulator.Init(new Org.BouncyCastle.Crypto.Parameters.ParametersWithRandom(encapsulationKey, new SecureRandom()));
        var ciphertext = new byte[1088];
        var pq = new byte[32];
        encapsulator.Encapsulate(ciphertext, pq);
        using var x25519 = Key.Create(KeyAgreementAlgorithm.X25519);
        byte[] cl = RawX25519(x25519, client.ClientEphemeral.AsSpan(1184));
        byte[] reply = [.. ciphertext, .. x25519.PublicKey.Export(KeyBlobFormat.RawPublicKey)];

        Assert.Equal(ExpectedK(pq, cl), client.ComputeSharedSecret(reply));
    }

    [Fact]
    public void Tampered_ciphertext_gives_a_different_secret_not_an_error()
    {
        // ML-KEM implicit rejection: decapsulation of a modified ciphertext returns a pseudo-random secret.
        using var client = Method.StartAsClient();
        var server = Method.RespondAsServer(client.ClientEphemeral);
        byte[] tampered = (byte[])server.ServerEphemeral.Clone();
        tampered[100] ^= 0x01;
        Assert.NotEqual(server.EncodedSharedSecret, client.ComputeSharedSecret(tampered));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    [InlineData(1184)]
    [InlineData(1215)]
    [InlineData(1217)]
    public void Server_rejects_wrong_client_init_length(int length)
    {
        var ex = Assert.Throws<SshProtocolException>(() => Method.RespondAsServer(new byte[length]));
        Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1088)]
    [InlineData(1119)]
    [InlineData(1121)]
    public void Client_rejects_wrong_server_reply_length(int length)
    {
        using var client = Method.StartAsClient();
        var ex = Assert.Throws<SshProtocolException>(() => client.ComputeSharedSecret(new byte[length]));
        Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
    }

    [Fact]
    public void Server_rejects_encapsulation_key_failing_the_modulus_check()
    {
        using var client = Method.StartAsClient();
        byte[] init = (byte[])client.ClientEphemeral.Clone();
        // First 12-bit coefficient = 0xFFF >= q (3329).
        init[0] = 0xFF;
        init[1] |= 0x0F;
        var ex = Assert.Throws<SshProtocolException>(() => Method.RespondAsServer(init));
        Assert.Equal(DisconnectReason.KeyExchangeFailed, ex.Reason);
    }

    [Theory]
    [MemberData(nameof(X25519Vectors.LowOrderPoints), MemberType = typeof(X25519Vectors))]
    public void Low_order_x25519_part_is_rejected_both_roles(string hex)
    {
        using var client = Method.StartAsClient();
        byte[] init = [.. client.ClientEphemeral[..1184], .. Convert.FromHexString(hex)];
        Assert.Throws<SshProtocolException>(() => Method.RespondAsServer(init));

        var server = Method.RespondAsServer(client.ClientEphemeral);
        byte[] reply = [.. server.ServerEphemeral[..1088], .. Convert.FromHexString(hex)];
        Assert.Throws<SshProtocolException>(() => client.ComputeSharedSecret(reply));
    }

    private static byte[] RawX25519(Key key, ReadOnlySpan<byte> peer)
    {
        var parameters = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var secret = KeyAgreementAlgorithm.X25519.Agree(key, PublicKey.Import(KeyAgreementAlgorithm.X25519, peer, KeyBlobFormat.RawPublicKey), in parameters)!;
        return secret.Export(SharedSecretBlobFormat.RawSharedSecret);
    }

    private static byte[] ExpectedK(byte[] pq, byte[] cl) => [0, 0, 0, 32, .. SHA256.HashData([.. pq, .. cl])];
}
