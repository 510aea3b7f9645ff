namespace Fumidai.Gateway.Policy;

/// <summary>What a role may allow on a target; deny by default.</summary>
public static class ChannelKinds
{
    public const string Shell = "shell";
    public const string Exec = "exec";
    public const string Sftp = "sftp";
    public const string Scp = "scp";
    public const string PortForward = "port-forward";

    public static readonly IReadOnlyList<string> All = [Shell, Exec, Sftp, Scp, PortForward];

    /// <summary>Allowed when a role does not narrow them with --allow (port forwarding only when named).</summary>
    public static readonly IReadOnlyList<string> Default = [Shell, Exec, Sftp, Scp];
}
