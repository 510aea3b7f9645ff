using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Administration;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.Keys;

/// <summary>A user's public key file: a <c>.pub</c> file, or several keys one per line as in authorized_keys (without options).</summary>
public static class PublicKeyFile
{
    /// <summary>Parses every key in the file; a usage error names the file and line of the first bad one (the rules shared with the console).</summary>
    public static IReadOnlyList<(SshPublicKey Key, string Comment)> Read(string option, string path)
    {
        InputValidation.InputFile(option, path);
        return AdminRules.PublicKeys(path, File.ReadAllText(path));
    }

    /// <summary>Parses one <c>TYPE BASE64 [comment]</c> line of a user key (not a certificate).</summary>
    public static (SshPublicKey Key, string Comment) Parse(string where, string line) => AdminRules.PublicKey(where, line);
}
