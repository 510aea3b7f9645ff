namespace Fumidai.Ssh.Keys;

/// <summary>Authenticator flags carried in a FIDO (<c>sk-</c>) signature (PROTOCOL.u2f).</summary>
[Flags]
public enum SkFlags : byte
{
    None = 0,
    /// <summary>The user touched the authenticator.</summary>
    UserPresent = 0x01,
    /// <summary>The authenticator verified the user (PIN or biometric).</summary>
    UserVerified = 0x04,
}

/// <summary>The authenticator flags and counter of one verified FIDO signature.</summary>
public readonly record struct SkSignatureInfo(SkFlags Flags, uint Counter);
