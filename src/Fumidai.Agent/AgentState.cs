using Fumidai.Ssh.Keys;

namespace Fumidai.Agent;

/// <summary>The agent's state directory: its own Ed25519 key, made at first start, and the bastion host key it pinned.</summary>
/// <remarks>Both files are owner-only (0600) in an owner-only directory: the key is what lets the agent in once it has joined.</remarks>
public sealed class AgentState : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _directory;

    private AgentState(string directory, SshPrivateKey key)
    {
        _directory = directory;
        Key = key;
    }

    public SshPrivateKey Key { get; }

    public string KeyPath => Path.Combine(_directory, "agent_ed25519");

    private string BastionKeyPath => Path.Combine(_directory, "bastion_host_key");

    /// <summary>Opens the state directory, creating it and the agent's key when missing.</summary>
    public static AgentState Open(string directory)
    {
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string path = Path.Combine(directory, "agent_ed25519");
        if (File.Exists(path)) return new AgentState(directory, SshPrivateKey.Load(path));
        var key = SshPrivateKey.Generate(SshKeyTypes.Ed25519);
        WriteOwnerOnly(path, OpenSshPrivateKeyFile.Format(key, "fumidai-agent"));
        WriteOwnerOnly(path + ".pub", key.PublicKey + "\n");
        return new AgentState(directory, key);
    }

    /// <summary>The bastion host key pinned at the first successful connection, or null before it.</summary>
    public SshPublicKey? BastionHostKey =>
        File.Exists(BastionKeyPath) ? SshPublicKey.ParseOpenSsh(File.ReadAllText(BastionKeyPath).Trim()) : null;

    public void PinBastionHostKey(SshPublicKey key) => WriteOwnerOnly(BastionKeyPath, key + "\n");

    private static void WriteOwnerOnly(string path, string text)
    {
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }
        File.SetUnixFileMode(temporary, OwnerOnly);
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose() => Key.Dispose();
}
