using System.Security.Cryptography;
using NSec.Cryptography;

namespace Fumidai.Ssh.Kex;

/// <summary><c>curve25519-sha256</c> and its pre-standard alias <c>curve25519-sha256@libssh.org</c> (RFC 8731).</summary>
internal sealed class Curve25519Sha256 : KeyExchangeMethod
{
    public const string StandardName = "curve25519-sha256";

    public const string LibsshName = "curve25519-sha256@libssh.org";

    /// <summary>The two names denote the identical method (RFC 8731 §3); one instance per name so negotiation can report which was chosen.</summary>
    public static readonly Curve25519Sha256 Standard = new(StandardName);

    public static readonly Curve25519Sha256 Libssh = new(LibsshName);

    private Curve25519Sha256(string name) => Name = name;

    public override string Name { get; }

    public override HashAlgorithmName HashAlgorithm => HashAlgorithmName.SHA256;

    public override KexServerResult RespondAsServer(ReadOnlySpan<byte> clientEphemeral)
    {
        using var key = X25519Agreement.GenerateKey();
        byte[] encoded = EncodedSecret(Name, key, clientEphemeral);
        return new KexServerResult(X25519Agreement.PublicKeyOf(key), encoded);
    }

    public override KexClientState StartAsClient() => new ClientState(Name);

    /// <summary>RFC 8731 §3.1: the 32 output bytes read as a big-endian unsigned integer, encoded as <c>mpint</c>.</summary>
    private static byte[] EncodedSecret(string method, Key key, ReadOnlySpan<byte> peerPublic)
    {
        Span<byte> raw = stackalloc byte[X25519Agreement.SharedSecretSize];
        try
        {
            X25519Agreement.Agree(method, key, peerPublic, raw);
            return SharedSecretEncoding.AsMpint(raw);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    private sealed class ClientState : KexClientState
    {
        private readonly string _method;
        private readonly Key _key = X25519Agreement.GenerateKey();

        public ClientState(string method)
        {
            _method = method;
            ClientEphemeral = X25519Agreement.PublicKeyOf(_key);
        }

        public override byte[] ClientEphemeral { get; }

        public override byte[] ComputeSharedSecret(ReadOnlySpan<byte> serverEphemeral) =>
            EncodedSecret(_method, _key, serverEphemeral);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _key.Dispose();
            base.Dispose(disposing);
        }
    }
}
