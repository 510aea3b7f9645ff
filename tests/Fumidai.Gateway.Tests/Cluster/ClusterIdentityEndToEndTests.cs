using System.Security.Cryptography;
using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>
/// One identity for the cluster: a node made with <c>fumidai init</c> on the cluster's PostgreSQL and master key takes
/// the cluster's keys from the database; Debian's ssh-keyscan and ssh see the same host key on both nodes; a node with
/// another master key is refused.
/// </summary>
public sealed class ClusterIdentityEndToEndTests(PostgresBastion cluster) : IClassFixture<PostgresBastion>
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);
    private static readonly string[] KeyFiles = ["host_ed25519", "host_rsa", "user_ca", "login_ca", "host_ca", "audit_signing_key"];

    private BastionHarness H => cluster.Harness;

    private static async Task<string[]> KeyScanAsync(int port)
    {
        var scan = await ProcessRunner.RunAsync("ssh-keyscan", ["-p", port.ToString(), "-t", "ed25519,rsa", "127.0.0.1"], Short);
        return scan.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => string.Join(' ', l.Split(' ').Skip(1).Take(2)))
            .Order(StringComparer.Ordinal).ToArray();
    }

    private static string PublicKey(string data, string file) => string.Join(' ', File.ReadAllText(Path.Combine(data, file + ".pub")).Split(' ').Take(2));

    private string NewMasterKeyFile()
    {
        string path = H.Directory.Combine($"other-{Guid.NewGuid():N}.key");
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(32));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    [Fact]
    public async Task A_node_initialised_on_the_clusters_database_joins_and_both_nodes_present_the_same_host_key_to_openssh()
    {
        var (data, environment, init) = await cluster.InitNodeAsync("node-b");

        Assert.True(init.ExitCode == 0, init.StandardError + init.Output);
        Assert.Contains("joined the cluster", init.Output);
        Assert.DoesNotContain("TOTP", init.Output);
        foreach (string file in KeyFiles) Assert.Equal(PublicKey(H.DataPath, file), PublicKey(data, file));
        await using var nodeB = await BastionProcess.StartAsync(data, environment);

        var scanA = await KeyScanAsync(H.Bastion.Port);
        var scanB = await KeyScanAsync(nodeB.Port);
        Assert.Equal(2, scanA.Length);
        Assert.Equal(scanA, scanB);
        Assert.Equal(new[] { PublicKey(H.DataPath, "host_ed25519"), PublicKey(H.DataPath, "host_rsa") }.Order(StringComparer.Ordinal), scanB);
        // The client's known_hosts holds node A's keys for node B's address, with strict checking: the login must go through.
        H.TrustBastionPort(nodeB.Port);
        var op = await H.AddOperatorAsync("joined-b");
        var login = await H.SshExecAsync(op, "joined-b:web01", "echo via-b-$((6*7))", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()),
            port: nodeB.Port);
        Assert.True(login.ExitCode == 0, $"exit {login.ExitCode}: {login.StandardError}");
        Assert.Contains("via-b-42", login.Output);
    }

    [Fact]
    public async Task Init_with_another_master_key_is_refused_clearly_and_leaves_the_directory_empty()
    {
        var (data, _, init) = await cluster.InitNodeAsync("node-wrong", NewMasterKeyFile());

        Assert.Equal(5, init.ExitCode);
        Assert.Contains("does not open the cluster's keys", init.StandardError);
        Assert.Contains("Secrets:MasterKeyFile", init.StandardError);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data));
    }

    [Fact]
    public async Task Init_without_the_clusters_master_key_says_to_copy_it_and_makes_no_keys_of_its_own()
    {
        string absent = Path.Combine(H.Directory.Combine($"absent-{Guid.NewGuid():N}"), "master.key");
        Directory.CreateDirectory(Path.GetDirectoryName(absent)!);
        var (data, _, init) = await cluster.InitNodeAsync("node-nokey", absent);

        Assert.Equal(5, init.ExitCode);
        Assert.Contains("already holds a cluster's keys", init.StandardError);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data));
        Assert.False(File.Exists(absent), "init left the master key it made");
    }

    [Fact]
    public async Task Serve_with_another_master_key_refuses_to_start_with_a_clear_message()
    {
        var (data, environment, init) = await cluster.InitNodeAsync("node-c");
        Assert.True(init.ExitCode == 0, init.StandardError);
        environment["FUMIDAI__Secrets__MasterKeyFile"] = NewMasterKeyFile();

        await using var serve = BastionProcess.Launch(data, environment);

        Assert.True(await serve.WaitForExitAsync(Short), "serve started with the wrong master key:\n" + serve.Log);
        Assert.Equal(5, serve.ExitCode);
        Assert.Contains("does not open the cluster's keys", serve.Log);
        Assert.DoesNotContain("listening on", serve.Log);
    }
}
