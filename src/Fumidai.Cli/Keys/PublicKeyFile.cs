using Fumidai.Cli.Infrastructure;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.Keys;

/// <summary>A user's public key file: a <c>.pub</c> file, or several keys one per line as in authorized_keys (without options).</summary>
public static class PublicKeyFile
{
    /// <summary>Parses every key in the file; a usage error names the file and line of the first bad one.</summary>
    public static IReadOnlyList<(SshPublicKey Key, string Comment)> Read(string option, string path)
    {
        InputValidation.InputFile(option, path);
        string text = File.ReadAllText(path);
        if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw CliException.Usage($"{path} is a private key; give the public key ({path}.pub)");
        var keys = new List<(SshPublicKey, string)>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            keys.Add(Parse($"{path}:{i + 1}", line));
        }
        if (keys.Count == 0) throw CliException.Usage($"{path}: no public key in the file");
        return keys;
    }

    /// <summary>Parses one <c>TYPE BASE64 [comment]</c> line of a user key (not a certificate).</summary>
    public static (SshPublicKey Key, string Comment) Parse(string where, string line)
    {
        SshPublicKey key;
        string comment;
        try
        {
            key = SshPublicKey.ParseOpenSsh(line, out comment);
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException)
        {
            throw CliException.Usage($"{where}: not an OpenSSH public key ({ex.Message})");
        }
        if (key is SshCertificate)
            throw CliException.Usage($"{where}: is a certificate; give the plain public key");
        return (key, comment);
    }
}
