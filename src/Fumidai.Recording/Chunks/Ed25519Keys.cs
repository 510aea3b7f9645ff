using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Fumidai.Recording.Chunks;

/// <summary>OpenSSH encodings of raw Ed25519 public keys: the wire blob, the <c>ssh-ed25519 AAAA…</c> line and the fingerprint.</summary>
/// <remarks>Kept here (a few lines) because Fumidai.Recording must not depend on Fumidai.Ssh.</remarks>
public static class Ed25519Keys
{
    private const string KeyType = "ssh-ed25519";

    public static byte[] Blob(ReadOnlySpan<byte> publicKey)
    {
        byte[] type = Encoding.ASCII.GetBytes(KeyType);
        byte[] blob = new byte[4 + type.Length + 4 + publicKey.Length];
        BinaryPrimitives.WriteInt32BigEndian(blob, type.Length);
        type.CopyTo(blob, 4);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(4 + type.Length), publicKey.Length);
        publicKey.CopyTo(blob.AsSpan(8 + type.Length));
        return blob;
    }

    /// <summary>The OpenSSH fingerprint (<c>SHA256:</c> + unpadded base64), as <c>ssh-keygen -l</c> prints it.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> publicKey) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(Blob(publicKey))).TrimEnd('=');

    public static string OpenSshLine(ReadOnlySpan<byte> publicKey) => KeyType + " " + Convert.ToBase64String(Blob(publicKey));

    /// <summary>Reads the raw 32-byte key from an <c>ssh-ed25519 AAAA… [comment]</c> line (an audit_key.pub file).</summary>
    public static byte[] ParseOpenSshLine(string line)
    {
        string[] parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || parts[0] != KeyType) throw new FormatException("not an ssh-ed25519 public key line");
        byte[] blob = Convert.FromBase64String(parts[1]);
        byte[] expectedPrefix = Blob(new byte[32])[..(8 + KeyType.Length)];
        if (blob.Length != 8 + KeyType.Length + 32 || !blob.AsSpan(0, expectedPrefix.Length).SequenceEqual(expectedPrefix))
            throw new FormatException("malformed ssh-ed25519 public key blob");
        return blob[^32..];
    }
}
