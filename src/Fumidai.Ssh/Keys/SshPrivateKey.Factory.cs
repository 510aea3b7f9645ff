namespace Fumidai.Ssh.Keys;

public abstract partial class SshPrivateKey
{
    /// <summary>
    /// Generates a new key: <c>ssh-ed25519</c>, <c>ecdsa-sha2-nistp256/384/521</c>, or <c>ssh-rsa</c>
    /// (<paramref name="bits"/> default 3072, at least 2048). For ECDSA, <paramref name="bits"/> if given must match the curve.
    /// </summary>
    public static SshPrivateKey Generate(string keyType, int? bits = null)
    {
        switch (keyType)
        {
            case SshKeyTypes.Ed25519:
                if (bits is not null and not 256) throw new ArgumentOutOfRangeException(nameof(bits), "Ed25519 keys have 256 bits");
                return Ed25519PrivateKey.Create();
            case SshKeyTypes.Rsa:
                return RsaPrivateKey.Create(bits ?? RsaPrivateKey.DefaultBits);
            default:
                var curve = EcdsaCurve.FromKeyType(keyType) ?? throw new NotSupportedException("cannot generate keys of type " + keyType);
                if (bits is not null && bits != curve.Bits) throw new ArgumentOutOfRangeException(nameof(bits), keyType + " keys have " + curve.Bits + " bits");
                return EcdsaPrivateKey.Create(curve);
        }
    }
}
