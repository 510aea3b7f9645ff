namespace Fumidai.Ssh.Connection;

/// <summary>SSH_OPEN_* reason codes (RFC 4254 §5.1).</summary>
public enum ChannelOpenFailureReason : uint
{
    AdministrativelyProhibited = 1,
    ConnectFailed = 2,
    UnknownChannelType = 3,
    ResourceShortage = 4,
}
