using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Keys;

/// <summary>A FIDO-backed <c>sk-ssh-ed25519@openssh.com</c> user key: verify only (PROTOCOL.u2f).</summary>
/// <remarks><see cref="Verify"/> demands the user-presence flag, as sshd does by default; <see cref="TryVerify"/> reports the flags for other policies.</remarks>
public sealed class SkEd25519PublicKey : SshPublicKey
{
    private static readonly string[] Algorithms = [SshKeyTypes.SkEd25519];

    private readonly Ed25519PublicKey _inner;
    private readonly byte[] _blob;

    public SkEd25519PublicKey(ReadOnlySpan<byte> rawKey, string application)
    {
        _inner = new Ed25519PublicKey(rawKey);
        Application = application;
        using var writer = new SshWriter(96 + application.Length);
        writer.WriteString(SshKeyTypes.SkEd25519);
        writer.WriteBinary(rawKey);
        writer.WriteString(application);
        _blob = writer.WrittenSpan.ToArray();
    }

    /// <summary>The FIDO application (relying party) string, usually <c>ssh:</c>.</summary>
    public string Application { get; }

    public ReadOnlyMemory<byte> RawKey => _inner.RawKey;

    public override string KeyType => SshKeyTypes.SkEd25519;

    public override ReadOnlyMemory<byte> Blob => _blob;

    public override IReadOnlyList<string> SignatureAlgorithms => Algorithms;

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob, IReadOnlyCollection<string>? allowedAlgorithms = null) =>
        TryVerify(data, signatureBlob, allowedAlgorithms, out var info) && info.Flags.HasFlag(SkFlags.UserPresent);

    /// <summary>Verifies the signature whatever its flags, and returns them so the caller can apply its own policy.</summary>
    public bool TryVerify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob, IReadOnlyCollection<string>? allowedAlgorithms, out SkSignatureInfo info)
    {
        if (!SkSignedMessage.TryDecode(signatureBlob, out var algorithm, out var signature, out info)) return false;
        if (algorithm != SshKeyTypes.SkEd25519 || !SshSignature.IsAllowed(algorithm, allowedAlgorithms)) return false;
        return _inner.VerifyRaw(SkSignedMessage.Build(Application, info.Flags, info.Counter, data), signature);
    }

    internal static SkEd25519PublicKey ReadBody(ref SshReader reader)
    {
        var raw = reader.ReadBinary(Ed25519PublicKey.KeyLength);
        return new SkEd25519PublicKey(raw, reader.ReadString());
    }
}
