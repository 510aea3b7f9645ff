using System.IO.Compression;
using System.Text.Json;
using Fumidai.Gateway.Storage;
using Fumidai.Gateway.Tests.EndToEnd;

namespace Fumidai.Gateway.Tests.Cluster;

/// <summary>
/// Two <c>fumidai serve</c> nodes on one PostgreSQL writing audit events at once (logins through Debian's ssh on both):
/// one hash chain without fork or gap, each event shipped to the object stores once between the nodes, and
/// <c>fumidai verify --all</c> passing on each node.
/// </summary>
public sealed class AuditAcrossNodesEndToEndTests(PostgresBastion cluster) : IClassFixture<PostgresBastion>
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    private BastionHarness H => cluster.Harness;

    /// <summary>The sequence numbers of every audit event shipped into the file store of the data directory <paramref name="data"/>.</summary>
    private static List<long> ShippedSequences(string data)
    {
        var sequences = new List<long>();
        string root = Path.Combine(data, "recordings", "audit");
        if (!Directory.Exists(root)) return sequences;
        foreach (string chunk in Directory.EnumerateFiles(root, "*.jsonl.br", SearchOption.AllDirectories))
        {
            using var reader = new StreamReader(new BrotliStream(File.OpenRead(chunk), CompressionMode.Decompress));
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0) continue;
                sequences.Add(JsonDocument.Parse(line).RootElement.GetProperty("seq").GetInt64());
            }
        }
        return sequences;
    }

    [Fact]
    public async Task Two_nodes_writing_at_once_keep_one_chain_ship_each_event_once_and_verify()
    {
        var (dataB, environmentB, init) = await cluster.InitNodeAsync("node-b");
        Assert.True(init.ExitCode == 0, init.StandardError);
        var nodeA = H.Bastion;
        await using var nodeB = await BastionProcess.StartAsync(dataB, environmentB);
        H.TrustBastionPort(nodeB.Port);
        var operators = new List<Operator>();
        for (int i = 0; i < 6; i++) operators.Add(await H.AddOperatorAsync($"both{i}"));
        long step = Totp.CurrentStep();

        var logins = await Task.WhenAll(operators.Select(async (op, i) =>
            await H.SshExecAsync(op, $"{op.Name}:web01", "echo both-$((6*7))", await Totp.CodeAsync(op.Secret, step),
                port: i % 2 == 0 ? nodeA.Port : nodeB.Port)));
        Assert.All(logins, l => Assert.True(l.ExitCode == 0, l.StandardError));
        foreach (var op in operators)
            await H.WaitForSessionAsync(op.Name, s => s.GetProperty("status").GetString() == "closed", "closed");

        Assert.True(await nodeA.TerminateAsync(Short), "node A did not stop:\n" + nodeA.Log);
        Assert.True(await nodeB.TerminateAsync(Short), "node B did not stop:\n" + nodeB.Log);

        await using var store = await MetadataStore.OpenPostgresAsync(cluster.ConnectionString);
        var events = await store.ListAuditAsync(null);
        Assert.Contains(events, e => e.Type == "service.start" && e.Details.GetValueOrDefault("node") == "node-b");
        Assert.True(events.Count(e => e.Type == "session.end") >= operators.Count, string.Join("\n", events.Select(e => e.Type)));
        for (int i = 1; i < events.Count; i++)
        {
            Assert.True(events[i].Sequence > events[i - 1].Sequence);
            Assert.Equal(events[i - 1].Hash, events[i].PreviousHash);
        }
        var shipped = ShippedSequences(H.DataPath).Concat(ShippedSequences(dataB)).ToList();
        var twice = shipped.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"shipped more than once: {string.Join(", ", twice.Take(20))} of {shipped.Count}");
        Assert.Equal(events.Select(e => e.Sequence).Order(), shipped.Order());

        foreach (string data in new[] { H.DataPath, dataB })
        {
            var verify = await ProcessRunner.RunAsync("dotnet", [BastionProcess.FumidaiDll, "verify", "--all", "--data", data], Short,
                environment: new Dictionary<string, string>(environmentB));
            Assert.True(verify.ExitCode == 0, $"verify --all on {data}: exit {verify.ExitCode}\n{verify.Output}\n{verify.StandardError}");
        }
    }
}
