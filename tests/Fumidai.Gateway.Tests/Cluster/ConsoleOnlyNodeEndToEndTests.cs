using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>
/// <c>fumidai serve --no-ssh</c> (the console alone) in a fresh data directory of a cluster member, holding only the
/// configuration and the master key: it takes the cluster's keys from the database, as <c>init</c> and <c>serve</c> do.
/// </summary>
public sealed class ConsoleOnlyNodeEndToEndTests(PostgresBastion cluster) : IClassFixture<PostgresBastion>
{
    private BastionHarness H => cluster.Harness;

    [Fact]
    public async Task A_console_only_node_on_a_fresh_directory_takes_the_clusters_keys()
    {
        using var directory = new TempDirectory("fumidai-console-node");
        string data = directory.Combine("data");
        Directory.CreateDirectory(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (string file in new[] { "fumidai.json", "master.key" })
        {
            File.Copy(Path.Combine(H.DataPath, file), Path.Combine(data, file));
            File.SetUnixFileMode(Path.Combine(data, file), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var environment = new Dictionary<string, string>(H.BastionEnvironment)
        {
            ["FUMIDAI__Node__Name"] = "console-1",
            [BastionProcess.WebEnabledVariable] = "true",
            ["FUMIDAI__Web__Listen"] = $"127.0.0.1:{BastionProcess.FreePort()}",
        };
        await using var console = BastionProcess.Launch(data, environment, ["--no-ssh"]);
        Assert.True(await console.WaitForLogAsync("console listening on", TimeSpan.FromSeconds(60)), console.Log);

        foreach (string name in new[] { "audit_signing_key", "user_ca", "login_ca", "host_ca", "host_ed25519", "host_rsa" })
        {
            Assert.True(File.Exists(Path.Combine(data, name + ".pub")), $"{name}.pub not taken from the cluster:\n{console.Log}");
            Assert.Equal(File.ReadAllText(Path.Combine(H.DataPath, name + ".pub")), File.ReadAllText(Path.Combine(data, name + ".pub")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, name)));
        }
    }
}
