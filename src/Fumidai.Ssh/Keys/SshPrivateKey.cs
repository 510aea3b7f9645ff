namespace Fumidai.Ssh.Keys;

/// <summary>A private key able to sign for SSH: host keys, user keys and CA keys.</summary>
public abstract partial class SshPrivateKey : IDisposable
{
    public abstract SshPublicKey PublicKey { get; }

    /// <summary>Signature algorithms this key can produce, preferred first (RSA: rsa-sha2-512, rsa-sha2-256; never ssh-rsa).</summary>
    public abstract IReadOnlyList<string> SignatureAlgorithms { get; }

    /// <summary>Signs <paramref name="data"/> and returns the signature blob (<c>string algorithm, string signature</c>).</summary>
    public abstract byte[] Sign(string signatureAlgorithm, ReadOnlySpan<byte> data);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
