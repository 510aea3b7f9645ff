using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Tests.InProcess;
using Microsoft.Extensions.Logging;

namespace Fumidai.Gateway.Tests.Audit;

/// <summary>The server log line that mirrors each audit event.</summary>
public sealed class AuditLogLineTests
{
    [Fact]
    public async Task Fields_that_do_not_apply_are_left_out_of_the_line_rather_than_printed_as_null()
    {
        var logger = new CapturingLogger();
        var audit = new AuditLog(new MemoryMetadata(), logger);

        await audit.RecordAsync(AuditTypes.LoginFailure, AuditOutcome.Failure, user: "alice", source: "127.0.0.1:40000");
        await audit.RecordAsync(AuditTypes.ServiceStart, AuditOutcome.Info, details: new Dictionary<string, string> { ["listen"] = "0.0.0.0:2222" });
        await audit.RecordAsync(AuditTypes.SessionStart, AuditOutcome.Success, "bob", "10.0.0.9:1", "web01");

        var lines = logger.Entries.Where(e => e.Level == LogLevel.Information).Select(e => e.Message).ToList();
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.DoesNotContain("(null)", l));
        Assert.Equal($"audit {AuditTypes.LoginFailure} {AuditOutcome.Failure} user=alice source=127.0.0.1:40000", lines[0]);
        Assert.Equal($"audit {AuditTypes.ServiceStart} {AuditOutcome.Info} listen=0.0.0.0:2222", lines[1]);
        Assert.Equal($"audit {AuditTypes.SessionStart} {AuditOutcome.Success} user=bob source=10.0.0.9:1 target=web01", lines[2]);
    }
}
