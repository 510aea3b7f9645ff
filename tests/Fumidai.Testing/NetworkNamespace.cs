using System.Security.Cryptography;

namespace Fumidai.Testing;

/// <summary>
/// A network namespace joined to the host by one veth pair with private /30 addresses (10.x.y.1 on the host side, 10.x.y.2
/// inside), its loopback up and no other route: what runs inside reaches the host's veth address and nothing else, and
/// nothing outside reaches the namespace's loopback. Names are unique per instance; both ends go on dispose.
/// </summary>
/// <remarks>Needs root and iproute2; when <c>ip netns</c> cannot be used the constructor fails with the reason, never skips.</remarks>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);
    private readonly string _hostVeth;
    private bool _created;

    private NetworkNamespace(string id)
    {
        Name = "fumidai-" + id;
        _hostVeth = "fmh" + id;
        InnerVeth = "fmn" + id;
        var bytes = Convert.FromHexString(id);
        // 10.X.Y.0/30 with X in 200..249 and Y any, from the random id: parallel runs on one machine do not meet.
        string prefix = $"10.{200 + bytes[0] % 50}.{bytes[1]}";
        HostAddress = prefix + ".1";
        InnerAddress = prefix + ".2";
    }

    public string Name { get; }

    public string InnerVeth { get; }

    /// <summary>The host's end of the veth pair, the one address the namespace can reach.</summary>
    public string HostAddress { get; }

    /// <summary>The namespace's end of the veth pair.</summary>
    public string InnerAddress { get; }

    /// <summary>The arguments that run a program inside the namespace: <c>ip netns exec NAME PROGRAM ARGS…</c> (exec keeps the PID).</summary>
    public IReadOnlyList<string> ExecPrefix => ["netns", "exec", Name];

    public static async Task<NetworkNamespace> CreateAsync()
    {
        var ns = new NetworkNamespace(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        try
        {
            await IpAsync("netns", "add", ns.Name);
            ns._created = true;
            await IpAsync("netns", "exec", ns.Name, "ip", "link", "set", "lo", "up");
            await IpAsync("link", "add", ns._hostVeth, "type", "veth", "peer", "name", ns.InnerVeth);
            await IpAsync("link", "set", ns.InnerVeth, "netns", ns.Name);
            await IpAsync("addr", "add", ns.HostAddress + "/30", "dev", ns._hostVeth);
            await IpAsync("link", "set", ns._hostVeth, "up");
            await IpAsync("netns", "exec", ns.Name, "ip", "addr", "add", ns.InnerAddress + "/30", "dev", ns.InnerVeth);
            await IpAsync("netns", "exec", ns.Name, "ip", "link", "set", ns.InnerVeth, "up");
            return ns;
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a program inside the namespace to its end (bounded).</summary>
    public Task<ProcessRunner.Result> RunAsync(string program, params string[] arguments) =>
        ProcessRunner.RunAsync("ip", [.. ExecPrefix, program, .. arguments], CommandTimeout);

    private static async Task IpAsync(params string[] arguments)
    {
        ProcessRunner.Result result;
        try
        {
            result = await ProcessRunner.RunAsync("ip", arguments, CommandTimeout);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("network namespace tests need iproute2 (`ip`) and root: " + ex.Message, ex);
        }
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"network namespace tests need root and `ip netns`: ip {string.Join(' ', arguments)} failed " +
                $"({result.ExitCode}): {result.StandardError.Trim()}");
    }

    public async ValueTask DisposeAsync()
    {
        // Deleting the namespace takes its end of the pair, and with it the host's end; deleting the host end first is for a
        // namespace that was never made.
        await ProcessRunner.RunAsync("ip", ["link", "del", _hostVeth], CommandTimeout);
        if (!_created) return;
        // Only this run's programs can be in its namespace; one left running would keep the namespace alive after its name goes.
        var pids = await ProcessRunner.RunAsync("ip", ["netns", "pids", Name], CommandTimeout);
        foreach (var line in pids.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(line, out int pid)) continue;
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                ProcessRunner.Kill(process);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
        await ProcessRunner.RunAsync("ip", ["netns", "del", Name], CommandTimeout);
    }
}
