using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Keys;

/// <summary>A FIDO-backed <c>sk-ecdsa-sha2-nistp256@openssh.com</c> user key: verify only (PROTOCOL.u2f).</summary>
/// <remarks><see cref="Verify"/> demands the user-presence flag, as sshd does by default; <see cref="TryVerify"/> reports the flags for other policies.</remarks>
public sealed class SkEcdsaPublicKey : SshPublicKey
{
    private static readonly string[] Algorithms = [SshKeyTypes.SkEcdsaNistP256];

    private readonly EcdsaPublicKey _inner;
    private readonly byte[] _blob;

    public SkEcdsaPublicKey(ReadOnlySpan<byte> point, string application)
    {
        _inner = new EcdsaPublicKey(EcdsaCurve.NistP256, point);
        Application = application;
        using var writer = new SshWriter(128 + application.Length);
        writer.WriteString(SshKeyTypes.SkEcdsaNistP256);
        writer.WriteString(EcdsaCurve.NistP256.Identifier);
        writer.WriteBinary(point);
        writer.WriteString(application);
        _blob = writer.WrittenSpan.ToArray();
    }

    /// <summary>The FIDO application (relying party) string, usually <c>ssh:</c>.</summary>
    public string Application { get; }

    public ReadOnlyMemory<byte> Point => _inner.Point;

    public override string KeyType => SshKeyTypes.SkEcdsaNistP256;

    public override ReadOnlyMemory<byte> Blob => _blob;

    public override IReadOnlyList<string> SignatureAlgorithms => Algorithms;

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob, IReadOnlyCollection<string>? allowedAlgorithms = null) =>
        TryVerify(data, signatureBlob, allowedAlgorithms, out var info) && info.Flags.HasFlag(SkFlags.UserPresent);

    /// <summary>Verifies the signature whatever its flags, and returns them so the caller can apply its own policy.</summary>
    public bool TryVerify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob, IReadOnlyCollection<string>? allowedAlgorithms, out SkSignatureInfo info)
    {
        if (!SkSignedMessage.TryDecode(signatureBlob, out var algorithm, out var signature, out info)) return false;
        if (algorithm != SshKeyTypes.SkEcdsaNistP256 || !SshSignature.IsAllowed(algorithm, allowedAlgorithms)) return false;
        // The authenticator signs SHA-256 of the built message, which is what ECDSA-SHA256 over it computes.
        return _inner.VerifyRaw(SkSignedMessage.Build(Application, info.Flags, info.Counter, data), signature);
    }

    internal static SkEcdsaPublicKey ReadBody(ref SshReader reader)
    {
        string identifier = reader.ReadString(32);
        if (identifier != EcdsaCurve.NistP256.Identifier) throw SshProtocolException.Malformed("sk-ecdsa key: curve does not match key type");
        var point = reader.ReadBinary(EcdsaCurve.NistP256.PointLength);
        return new SkEcdsaPublicKey(point, reader.ReadString());
    }
}
