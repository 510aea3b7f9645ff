using System.Security.Cryptography;
using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Keys;

/// <summary>Creates and signs OpenSSH certificates (PROTOCOL.certkeys) with a CA private key.</summary>
public sealed class SshCertificateBuilder
{
    public SshCertificateBuilder(SshPublicKey key, SshCertificateType type, string keyId)
    {
        if (key is SshCertificate) throw new ArgumentException("certify the plain key, not a certificate", nameof(key));
        Key = key;
        Type = type;
        KeyId = keyId;
    }

    public SshPublicKey Key { get; }

    public SshCertificateType Type { get; }

    public string KeyId { get; }

    public ulong Serial { get; set; }

    public List<string> ValidPrincipals { get; } = [];

    /// <summary>Start of validity; null means "always" (0 on the wire).</summary>
    public DateTimeOffset? ValidAfter { get; set; }

    /// <summary>End of validity (exclusive); null means forever.</summary>
    public DateTimeOffset? ValidBefore { get; set; }

    /// <summary>Critical options by name; empty value for flags. Written sorted, as the format requires.</summary>
    public SortedDictionary<string, string> CriticalOptions { get; } = new(StringComparer.Ordinal);

    /// <summary>Extensions by name; empty value for flags. Written sorted.</summary>
    public SortedDictionary<string, string> Extensions { get; } = new(StringComparer.Ordinal);

    /// <summary>The five permit-* extensions ssh-keygen grants user certificates by default.</summary>
    public SshCertificateBuilder WithDefaultUserExtensions()
    {
        foreach (var name in new[] { "permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc" })
            Extensions[name] = "";
        return this;
    }

    /// <summary>
    /// Signs with <paramref name="ca"/> using <paramref name="signatureAlgorithm"/>, by default the CA's preferred one
    /// (rsa-sha2-512 for an RSA CA), and returns the parsed certificate.
    /// </summary>
    public SshCertificate Sign(SshPrivateKey ca, string? signatureAlgorithm = null)
    {
        signatureAlgorithm ??= ca.SignatureAlgorithms[0];
        using var writer = new SshWriter(1024);
        writer.WriteString(SshKeyTypes.WithCertSuffix(Key.KeyType));
        writer.WriteBinary(RandomNumberGenerator.GetBytes(32));
        // The plain key's fields follow without its type name.
        var keyReader = new SshReader(Key.Blob.Span);
        keyReader.ReadString();
        writer.WriteRaw(keyReader.RemainingSpan);
        writer.WriteUInt64(Serial);
        writer.WriteUInt32((uint)Type);
        writer.WriteString(KeyId);
        using (var principals = new SshWriter())
        {
            foreach (var principal in ValidPrincipals) principals.WriteString(principal);
            writer.WriteBinary(principals.WrittenSpan);
        }
        writer.WriteUInt64(ValidAfter is { } after ? (ulong)Math.Max(0, after.ToUnixTimeSeconds()) : 0);
        writer.WriteUInt64(ValidBefore is { } before ? (ulong)Math.Max(0, before.ToUnixTimeSeconds()) : SshCertificate.Forever);
        WriteOptions(writer, CriticalOptions);
        WriteOptions(writer, Extensions);
        writer.WriteBinary([]);
        writer.WriteBinary(ca.PublicKey.Blob.Span);
        var signature = ca.Sign(signatureAlgorithm, writer.WrittenSpan);
        writer.WriteBinary(signature);
        return (SshCertificate)SshPublicKey.FromBlob(writer.WrittenSpan);
    }

    private static void WriteOptions(SshWriter writer, SortedDictionary<string, string> options)
    {
        using var list = new SshWriter();
        foreach (var (name, value) in options)
        {
            list.WriteString(name);
            if (value.Length == 0)
            {
                list.WriteBinary([]);
                continue;
            }
            using var data = new SshWriter();
            data.WriteString(value);
            list.WriteBinary(data.WrittenSpan);
        }
        writer.WriteBinary(list.WrittenSpan);
    }
}
