using Fumidai.Cli.Totp;
using Fumidai.Gateway;
using Fumidai.Gateway.Identity;
using Fumidai.Ssh.Keys;

namespace Fumidai.Scale;

/// <summary>
/// Adds the load's users straight into the data directory's store (thousands of `fumidai user add` processes would take
/// longer than the measurement): one shared key, the given role, and a TOTP secret each, written to a file for the run.
/// </summary>
internal static class Setup
{
    public static async Task<int> RunAsync(string dataPath, int count, string role, string publicKeyFile, string usersFile,
        CancellationToken cancellationToken)
    {
        var key = SshPublicKey.ParseOpenSsh(File.ReadAllText(publicKeyFile).Trim());
        var data = new DataDirectory(dataPath);
        var protector = data.LoadProtector();
        await using var store = await data.OpenStoreAsync(cancellationToken);
        using var users = new StreamWriter(usersFile);
        for (int i = 0; i < count; i++)
        {
            string name = $"load{i:D5}";
            var enrolment = TotpEnrolment.Create(name, protector);
            await store.AddUserAsync(new UserRecord(name, [role], false, enrolment.EncryptedSecret, null, DateTimeOffset.UtcNow), cancellationToken);
            await store.AddUserKeyAsync(new UserKeyRecord(name, key.Fingerprint, key.ToString(), "load"), cancellationToken);
            string secret = System.Web.HttpUtility.ParseQueryString(new Uri(enrolment.Uri).Query)["secret"]!;
            await users.WriteLineAsync($"{name}\t{secret}");
            if (i % 500 == 499) Console.Error.WriteLine($"setup: {i + 1}/{count} users");
        }
        Console.Error.WriteLine($"setup: {count} users with role {role} in {dataPath}; secrets in {usersFile}");
        return 0;
    }
}
