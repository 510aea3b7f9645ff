using Fumidai.Gateway.Identity;

namespace Fumidai.Cli.Infrastructure;

/// <summary>Reads a password from stdin (never from the command line, where other local users could see it).</summary>
public static class PasswordInput
{
    /// <summary>Reads the first line, checks the password rule, and returns its Argon2id hash.</summary>
    public static string ReadAndHash(TextReader input)
    {
        string? password = input.ReadLine();
        if (string.IsNullOrEmpty(password)) throw CliException.Usage("--password-stdin: no password on standard input");
        if (PasswordHasher.CheckPolicy(password) is { } problem) throw CliException.Usage("--password-stdin: " + problem);
        return PasswordHasher.Hash(password);
    }
}
