using System.Security.Cryptography;
using NSec.Cryptography;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Fumidai.Ssh.Kex;

/// <summary><c>mlkem768x25519-sha256</c>: ML-KEM-768 combined with X25519 (draft-ietf-sshm-mlkem-hybrid-kex, OpenSSH 9.9+).</summary>
/// <remarks>
/// C_INIT = ML-KEM encapsulation key (1184) || X25519 client public (32);
/// S_REPLY = ML-KEM ciphertext (1088) || X25519 server public (32);
/// K = SHA-256(K_PQ || K_CL), encoded as <c>string</c> (a hash output is not an integer).
/// </remarks>
internal sealed class MlKem768X25519Sha256 : KeyExchangeMethod
{
    public const string MethodName = "mlkem768x25519-sha256";

    public const int EncapsulationKeySize = 1184;

    public const int CiphertextSize = 1088;

    public const int ClientInitSize = EncapsulationKeySize + X25519Agreement.PublicKeySize;

    public const int ServerReplySize = CiphertextSize + X25519Agreement.PublicKeySize;

    private const int MlKemSecretSize = 32;

    public static readonly MlKem768X25519Sha256 Instance = new();

    private static readonly MLKemParameters Parameters = MLKemParameters.ml_kem_768;

    private MlKem768X25519Sha256()
    {
    }

    public override string Name => MethodName;

    public override HashAlgorithmName HashAlgorithm => HashAlgorithmName.SHA256;

    public override KexServerResult RespondAsServer(ReadOnlySpan<byte> clientEphemeral)
    {
        if (clientEphemeral.Length != ClientInitSize)
            throw KexFailure.InvalidPeerValue(Name, "C_INIT must be 1216 bytes");

        MLKemPublicKeyParameters encapsulationKey;
        try
        {
            // FromEncoding performs the FIPS 203 §7.2 modulus check on the encapsulation key.
            encapsulationKey = MLKemPublicKeyParameters.FromEncoding(Parameters, clientEphemeral[..EncapsulationKeySize].ToArray());
        }
        catch (ArgumentException e)
        {
            throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, Name + ": ML-KEM encapsulation key rejected", e);
        }

        var reply = new byte[ServerReplySize];
        Span<byte> secrets = stackalloc byte[MlKemSecretSize + X25519Agreement.SharedSecretSize];
        try
        {
            var encapsulator = new MLKemEncapsulator(Parameters);
            encapsulator.Init(new ParametersWithRandom(encapsulationKey, new SecureRandom()));
            encapsulator.Encapsulate(reply.AsSpan(0, CiphertextSize), secrets[..MlKemSecretSize]);

            using var key = X25519Agreement.GenerateKey();
            X25519Agreement.Agree(Name, key, clientEphemeral[EncapsulationKeySize..], secrets[MlKemSecretSize..]);
            X25519Agreement.PublicKeyOf(key).CopyTo(reply.AsSpan(CiphertextSize));

            return new KexServerResult(reply, Combine(secrets));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secrets);
        }
    }

    public override KexClientState StartAsClient() => new ClientState();

    /// <summary>K = string(SHA-256(K_PQ || K_CL)); the ML-KEM secret comes first, as in the draft and OpenSSH.</summary>
    private static byte[] Combine(ReadOnlySpan<byte> concatenatedSecrets)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        try
        {
            SHA256.HashData(concatenatedSecrets, hash);
            return SharedSecretEncoding.AsString(hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(hash);
        }
    }

    private sealed class ClientState : KexClientState
    {
        // BouncyCastle keeps the decapsulation key in managed arrays we cannot wipe; dropping the reference on
        // Dispose is the best available, and the key lives only for one key exchange.
        private MLKemPrivateKeyParameters? _decapsulationKey;
        private readonly Key _x25519 = X25519Agreement.GenerateKey();

        public ClientState()
        {
            var generator = new MLKemKeyPairGenerator();
            generator.Init(new MLKemKeyGenerationParameters(new SecureRandom(), Parameters));
            var pair = generator.GenerateKeyPair();
            _decapsulationKey = (MLKemPrivateKeyParameters)pair.Private;

            var init = new byte[ClientInitSize];
            ((MLKemPublicKeyParameters)pair.Public).GetEncoded().CopyTo(init, 0);
            X25519Agreement.PublicKeyOf(_x25519).CopyTo(init, EncapsulationKeySize);
            ClientEphemeral = init;
        }

        public override byte[] ClientEphemeral { get; }

        public override byte[] ComputeSharedSecret(ReadOnlySpan<byte> serverEphemeral)
        {
            var decapsulationKey = _decapsulationKey ?? throw new ObjectDisposedException(nameof(ClientState));
            if (serverEphemeral.Length != ServerReplySize)
                throw KexFailure.InvalidPeerValue(MethodName, "S_REPLY must be 1120 bytes");

            Span<byte> secrets = stackalloc byte[MlKemSecretSize + X25519Agreement.SharedSecretSize];
            try
            {
                // A malformed ciphertext does not fail: ML-KEM's implicit rejection yields an unrelated secret,
                // so the mismatch surfaces as a failed host-key signature / MAC, exactly as the KEM intends.
                var decapsulator = new MLKemDecapsulator(Parameters);
                decapsulator.Init(decapsulationKey);
                decapsulator.Decapsulate(serverEphemeral[..CiphertextSize], secrets[..MlKemSecretSize]);

                X25519Agreement.Agree(MethodName, _x25519, serverEphemeral[CiphertextSize..], secrets[MlKemSecretSize..]);
                return Combine(secrets);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secrets);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _decapsulationKey = null;
                _x25519.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
