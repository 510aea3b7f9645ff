namespace Fumidai.Ssh.Wire;

/// <summary>Upper bounds on lengths read from the wire; anything larger is a protocol error.</summary>
public static class SshLimits
{
    /// <summary>Largest packet_length accepted or sent (256 KiB: far above what any peer sends, small enough to bound memory per connection).</summary>
    public const int MaxPacketLength = 256 * 1024;

    /// <summary>Largest name-list, in bytes (OpenSSH's KEXINIT lists are ~2 KiB).</summary>
    public const int MaxNameListLength = 64 * 1024;

    /// <summary>Largest number of names in one name-list.</summary>
    public const int MaxNames = 256;

    /// <summary>Largest user name, service name, request type or similar identifier.</summary>
    public const int MaxIdentifierLength = 1024;
}
