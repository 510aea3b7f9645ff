using Fumidai.Ssh.Wire;

namespace Fumidai.Agent;

/// <summary>What the agent and the bastion say to each other over the agent's SSH connection, beyond plain SSH.</summary>
public static class AgentProtocol
{
    /// <summary>The SSH user name of an agent: a prefix no operator name can have (names start with a letter or digit).</summary>
    public const string UserPrefix = "@agent:";

    /// <summary>The one channel type the bastion opens and the agent accepts: a stream to the agent's forward address.</summary>
    public const string ForwardChannel = "forward@agent.fumidai";

    /// <summary>The global request in which the agent names its version and the host keys of the sshd it forwards to.</summary>
    public const string HelloRequest = "hello@agent.fumidai";

    /// <summary>At most this many host keys in a hello, each at most <see cref="MaxHostKeyLength"/> characters.</summary>
    public const int MaxHostKeys = 8;

    public const int MaxHostKeyLength = 2048;

    public const int MaxVersionLength = 64;

    public static string UserName(string target) => UserPrefix + target;

    /// <summary>The target an agent user name names, or null when it is not an agent's.</summary>
    public static string? TargetOf(string userName) =>
        userName.StartsWith(UserPrefix, StringComparison.Ordinal) && userName.Length > UserPrefix.Length ? userName[UserPrefix.Length..] : null;

    public static byte[] EncodeHello(string version, IReadOnlyList<string> hostKeys)
    {
        using var writer = new SshWriter();
        writer.WriteString(version);
        writer.WriteUInt32((uint)hostKeys.Count);
        foreach (var key in hostKeys) writer.WriteString(key);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Parses a hello, with limits on every length; throws <see cref="FormatException"/> on anything else.</summary>
    public static (string Version, IReadOnlyList<string> HostKeys) DecodeHello(byte[] data)
    {
        try
        {
            var reader = new SshReader(data);
            string version = reader.ReadString(MaxVersionLength);
            if (version.Length > MaxVersionLength || version.Any(char.IsControl)) throw new FormatException("agent version too long or not text");
            uint count = reader.ReadUInt32();
            if (count > MaxHostKeys) throw new FormatException($"more than {MaxHostKeys} host keys");
            var keys = new List<string>();
            for (int i = 0; i < count; i++)
            {
                string key = reader.ReadString(MaxHostKeyLength);
                if (key.Length > MaxHostKeyLength || key.Any(char.IsControl)) throw new FormatException("host key too long or not text");
                keys.Add(key);
            }
            reader.EnsureEnd("agent hello");
            return (version, keys);
        }
        catch (Fumidai.Ssh.SshProtocolException ex)
        {
            throw new FormatException("malformed hello: " + ex.Message, ex);
        }
    }
}
