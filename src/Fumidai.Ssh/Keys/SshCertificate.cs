using Fumidai.Ssh.Wire;

namespace Fumidai.Ssh.Keys;

/// <summary>An OpenSSH certificate (PROTOCOL.certkeys): a public key with CA-signed identity, principals, validity and options.</summary>
/// <remarks>
/// Signatures made by the certified key are verified by the inner <see cref="Key"/>. <see cref="SignatureAlgorithms"/> lists the
/// certificate algorithm names negotiated on the wire (e.g. <c>rsa-sha2-512-cert-v01@openssh.com</c>), while the signature blobs
/// themselves carry the plain names (<c>rsa-sha2-512</c>); <see cref="Verify"/> accepts either form in its allow-list.
/// Parsing does not check the CA signature: <see cref="CertificateValidation"/> does.
/// </remarks>
public sealed class SshCertificate : SshPublicKey
{
    /// <summary><c>valid before</c> meaning "forever".</summary>
    public const ulong Forever = ulong.MaxValue;

    private const int MaxPrincipals = 256;
    private const int MaxOptions = 64;

    private readonly byte[] _blob;
    private readonly string[] _algorithms;
    private readonly int _signedLength;

    private SshCertificate(string keyType, byte[] blob, int signedLength, byte[] nonce, SshPublicKey key, ulong serial, SshCertificateType type,
        string keyId, IReadOnlyList<string> principals, ulong validAfter, ulong validBefore,
        IReadOnlyList<KeyValuePair<string, string>> criticalOptions, IReadOnlyList<KeyValuePair<string, string>> extensions,
        SshPublicKey signatureKey, byte[] signature)
    {
        KeyType = keyType;
        _blob = blob;
        _signedLength = signedLength;
        Nonce = nonce;
        Key = key;
        Serial = serial;
        CertificateType = type;
        KeyId = keyId;
        ValidPrincipals = principals;
        ValidAfter = validAfter;
        ValidBefore = validBefore;
        CriticalOptions = criticalOptions;
        Extensions = extensions;
        SignatureKey = signatureKey;
        Signature = signature;
        _algorithms = key.SignatureAlgorithms.Select(SshKeyTypes.WithCertSuffix).ToArray();
    }

    public override string KeyType { get; }

    public override ReadOnlyMemory<byte> Blob => _blob;

    public override IReadOnlyList<string> SignatureAlgorithms => _algorithms;

    public ReadOnlyMemory<byte> Nonce { get; }

    /// <summary>The certified (plain) public key.</summary>
    public SshPublicKey Key { get; }

    public ulong Serial { get; }

    public SshCertificateType CertificateType { get; }

    /// <summary>The CA-chosen identity logged by sshd (the bastion puts the human's name there, so a shared login stays attributable).</summary>
    public string KeyId { get; }

    /// <summary>User names (user certificates) or host names (host certificates) the certificate is valid for.</summary>
    public IReadOnlyList<string> ValidPrincipals { get; }

    /// <summary>Seconds since the Unix epoch; 0 means "always".</summary>
    public ulong ValidAfter { get; }

    /// <summary>Seconds since the Unix epoch; <see cref="Forever"/> means no expiry.</summary>
    public ulong ValidBefore { get; }

    /// <summary>Critical options in wire order with their string values (empty for flags): <c>force-command</c>, <c>source-address</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> CriticalOptions { get; }

    /// <summary>Extensions in wire order: <c>permit-pty</c>, <c>permit-port-forwarding</c>, ...</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions { get; }

    /// <summary>The CA key that signed the certificate.</summary>
    public SshPublicKey SignatureKey { get; }

    /// <summary>The CA's signature blob.</summary>
    public ReadOnlyMemory<byte> Signature { get; }

    /// <summary>The bytes the CA signed: the whole blob up to the signature field.</summary>
    public ReadOnlySpan<byte> SignedData => _blob.AsSpan(0, _signedLength);

    public string? CriticalOption(string name) => CriticalOptions.FirstOrDefault(o => o.Key == name).Value;

    public bool HasExtension(string name) => Extensions.Any(o => o.Key == name);

    /// <summary>True if <paramref name="now"/> lies in [valid after, valid before).</summary>
    public bool IsValidAt(DateTimeOffset now)
    {
        long seconds = now.ToUnixTimeSeconds();
        if (seconds < 0) return false;
        return (ulong)seconds >= ValidAfter && (ulong)seconds < ValidBefore;
    }

    /// <summary>Checks the CA signature over the certificate body; a SHA-1 <c>ssh-rsa</c> CA signature fails.</summary>
    public bool VerifyCaSignature() => SignatureKey.Verify(SignedData, Signature.Span);

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob, IReadOnlyCollection<string>? allowedAlgorithms = null)
    {
        IReadOnlyCollection<string>? plain = allowedAlgorithms?.Select(SshKeyTypes.WithoutCertSuffix).ToHashSet(StringComparer.Ordinal);
        return Key.Verify(data, signatureBlob, plain);
    }

    internal static SshCertificate Parse(string keyType, ReadOnlySpan<byte> blob)
    {
        string plainType = SshKeyTypes.WithoutCertSuffix(keyType);
        var reader = new SshReader(blob);
        reader.ReadString();
        var nonce = reader.ReadBinary(1024).ToArray();
        var key = ReadBody(plainType, ref reader);
        ulong serial = reader.ReadUInt64();
        uint type = reader.ReadUInt32();
        if (type is not ((uint)SshCertificateType.User or (uint)SshCertificateType.Host)) throw SshProtocolException.Malformed("certificate: unknown type");
        string keyId = reader.ReadString(4096);
        var principals = ReadPrincipals(reader.ReadBinary(MaxBlobLength));
        ulong validAfter = reader.ReadUInt64();
        ulong validBefore = reader.ReadUInt64();
        var critical = ReadOptions(reader.ReadBinary(MaxBlobLength));
        var extensions = ReadOptions(reader.ReadBinary(MaxBlobLength));
        reader.ReadBinary(MaxBlobLength); // reserved
        var signatureKey = FromBlob(reader.ReadBinary(MaxBlobLength));
        if (signatureKey is SshCertificate) throw SshProtocolException.Malformed("certificate: signed by a certificate");
        int signedLength = reader.Position;
        var signature = reader.ReadBinary(SshSignature.MaxBlobLength).ToArray();
        reader.EnsureEnd("certificate");
        return new SshCertificate(keyType, blob.ToArray(), signedLength, nonce, key, serial, (SshCertificateType)type, keyId, principals,
            validAfter, validBefore, critical, extensions, signatureKey, signature);
    }

    private static List<string> ReadPrincipals(ReadOnlySpan<byte> data)
    {
        var result = new List<string>();
        var reader = new SshReader(data);
        while (!reader.AtEnd)
        {
            if (result.Count == MaxPrincipals) throw SshProtocolException.Malformed("certificate: too many principals");
            result.Add(reader.ReadString());
        }
        return result;
    }

    /// <summary>Options are <c>string name, string data</c> pairs in strictly increasing name order; data holds a string or nothing.</summary>
    private static List<KeyValuePair<string, string>> ReadOptions(ReadOnlySpan<byte> data)
    {
        var result = new List<KeyValuePair<string, string>>();
        var reader = new SshReader(data);
        string? previous = null;
        while (!reader.AtEnd)
        {
            if (result.Count == MaxOptions) throw SshProtocolException.Malformed("certificate: too many options");
            string name = reader.ReadString();
            if (previous is not null && string.CompareOrdinal(previous, name) >= 0)
                throw SshProtocolException.Malformed("certificate: options out of order or repeated");
            var value = reader.ReadBinary(MaxBlobLength);
            string text = "";
            if (!value.IsEmpty)
            {
                var inner = new SshReader(value);
                text = inner.ReadString(MaxBlobLength);
                inner.EnsureEnd("certificate option");
            }
            result.Add(new(name, text));
            previous = name;
        }
        return result;
    }
}
