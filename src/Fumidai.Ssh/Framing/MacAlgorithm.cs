namespace Fumidai.Ssh.Framing;

/// <summary>A negotiable MAC algorithm: its SSH name, key and tag lengths, and whether it is encrypt-then-MAC.</summary>
internal abstract class MacAlgorithm
{
    public abstract string Name { get; }

    public abstract int KeyLength { get; }

    public abstract int TagLength { get; }

    /// <summary>True for the <c>-etm@openssh.com</c> variants: the MAC covers the ciphertext and packet_length stays in clear.</summary>
    public abstract bool EncryptThenMac { get; }
}
