namespace Fumidai.Testing;

/// <summary>User key pairs made by Debian's ssh-keygen (an independent implementation) for client-side tests.</summary>
public static class UserKeys
{
    /// <summary>Creates <c>id_NAME</c> and <c>id_NAME.pub</c> in the folder and returns the private key path.</summary>
    public static async Task<string> CreateAsync(TempDirectory directory, string type, int? bits = null, string passphrase = "")
    {
        string path = directory.Combine("id_" + type + (bits is null ? "" : bits.ToString()));
        if (File.Exists(path)) return path;
        var args = new List<string> { "-q", "-t", type, "-N", passphrase, "-C", "test-" + type, "-f", path };
        if (bits is not null)
        {
            args.Add("-b");
            args.Add(bits.Value.ToString());
        }
        var result = await ProcessRunner.RunAsync("ssh-keygen", args, TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0) throw new InvalidOperationException("ssh-keygen failed: " + result.StandardError);
        return path;
    }
}
