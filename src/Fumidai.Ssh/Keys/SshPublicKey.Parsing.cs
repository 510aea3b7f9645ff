using System.Diagnostics.CodeAnalysis;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Keys;

public abstract partial class SshPublicKey
{
    /// <summary>Largest public key blob accepted (a 16384-bit RSA certificate with many principals fits easily).</summary>
    public const int MaxBlobLength = 16 * 1024;

    /// <summary>
    /// Decodes a public key or certificate blob as sent on the wire.
    /// Throws <see cref="SshProtocolException"/> for a malformed blob and <see cref="NotSupportedException"/> for an unknown key type.
    /// </summary>
    public static SshPublicKey FromBlob(ReadOnlySpan<byte> blob)
    {
        if (blob.Length > MaxBlobLength) throw SshProtocolException.Malformed("public key: blob too long");
        var reader = new SshReader(blob);
        string keyType = reader.ReadString(SshLimits.MaxIdentifierLength);
        if (keyType.EndsWith(SshKeyTypes.CertSuffix, StringComparison.Ordinal))
            return SshCertificate.Parse(keyType, blob);
        var key = ReadBody(keyType, ref reader);
        reader.EnsureEnd("public key");
        return key;
    }

    /// <summary>Like <see cref="FromBlob"/> but returns false instead of throwing for malformed or unknown keys.</summary>
    public static bool TryFromBlob(ReadOnlySpan<byte> blob, [NotNullWhen(true)] out SshPublicKey? key)
    {
        try
        {
            key = FromBlob(blob);
            return true;
        }
        catch (Exception e) when (e is SshProtocolException or NotSupportedException)
        {
            key = null;
            return false;
        }
    }

    /// <summary>Reads the fields of a plain (non-certificate) key that follow its type name.</summary>
    internal static SshPublicKey ReadBody(string keyType, ref SshReader reader) => keyType switch
    {
        SshKeyTypes.Ed25519 => Ed25519PublicKey.ReadBody(ref reader),
        SshKeyTypes.EcdsaNistP256 or SshKeyTypes.EcdsaNistP384 or SshKeyTypes.EcdsaNistP521 =>
            EcdsaPublicKey.ReadBody(EcdsaCurve.FromKeyType(keyType)!, ref reader),
        SshKeyTypes.Rsa => RsaPublicKey.ReadBody(ref reader),
        SshKeyTypes.SkEd25519 => SkEd25519PublicKey.ReadBody(ref reader),
        SshKeyTypes.SkEcdsaNistP256 => SkEcdsaPublicKey.ReadBody(ref reader),
        _ => throw new NotSupportedException("unsupported public key type"),
    };

    /// <summary>Parses the one-line OpenSSH form <c>TYPE BASE64 [comment]</c> (a <c>.pub</c> file or known_hosts/authorized_keys key part).</summary>
    public static SshPublicKey ParseOpenSsh(string line) => ParseOpenSsh(line, out _);

    /// <inheritdoc cref="ParseOpenSsh(string)"/>
    public static SshPublicKey ParseOpenSsh(string line, out string comment)
    {
        var parts = line.Trim().Split((char[])[' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2) throw new FormatException("expected 'TYPE BASE64 [comment]'");
        comment = parts.Length == 3 ? parts[2].Trim() : "";
        return FromTypeAndBase64(parts[0], parts[1]);
    }

    /// <summary>Decodes the base64 blob and checks it is of the type named before it.</summary>
    internal static SshPublicKey FromTypeAndBase64(string keyType, string base64)
    {
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(base64);
        }
        catch (FormatException e)
        {
            throw new FormatException("public key is not valid base64", e);
        }
        SshPublicKey key;
        try
        {
            key = FromBlob(blob);
        }
        catch (SshProtocolException e)
        {
            throw new FormatException("public key: " + e.Message, e);
        }
        if (key.KeyType != keyType) throw new FormatException("public key type does not match its blob");
        return key;
    }

    /// <summary>The one-line OpenSSH form with a comment, as in a <c>.pub</c> file.</summary>
    public string ToOpenSsh(string? comment = null) =>
        string.IsNullOrEmpty(comment) ? ToString() : ToString() + " " + comment;
}
