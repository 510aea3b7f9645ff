using Fumidai.Gateway.Sessions;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Cluster;

/// <summary>Terminate and Lock user for sessions that run on other nodes: sent to the owning node's cluster listener.</summary>
public static class RemoteActions
{
    /// <summary>
    /// Asks the node running <paramref name="session"/> to end it, when that node is another one with a cluster listener:
    /// null when that does not apply (the store request serves), else the outcome, with a problem when it did not confirm.
    /// </summary>
    public static async Task<(bool Sent, string? Problem)> TerminateAsync(ConsoleServices console, HttpContext context, SessionRecord session, string admin,
        string reason)
    {
        if (console.Cluster is not { } cluster || !cluster.IsOther(session.Node)) return (false, null);
        var node = await cluster.FindAsync(session.Node!, context.RequestAborted).ConfigureAwait(false);
        if (node.Address is null) return (false, null);
        return (true, await cluster.TerminateAsync(node, session.Id, Request(context, admin, reason), CancellationToken.None).ConfigureAwait(false));
    }

    /// <summary>
    /// Once <paramref name="user"/> is disabled in the store, asks every other live node running one of her sessions to end
    /// her connections now; returns what each node that did not confirm said (empty when all did).
    /// </summary>
    public static async Task<IReadOnlyList<string>> LockAsync(ConsoleServices console, HttpContext context, string user, string admin, string reason)
    {
        if (console.Cluster is not { } cluster) return [];
        var running = await console.Store.ListRunningSessionsAsync(CancellationToken.None).ConfigureAwait(false);
        var problems = new List<string>();
        foreach (string name in running.Where(s => s.User == user && cluster.IsOther(s.Node)).Select(s => s.Node!).Distinct(StringComparer.Ordinal))
        {
            var node = await cluster.FindAsync(name, CancellationToken.None).ConfigureAwait(false);
            // A node without a listener reads the store within seconds; a dead one has no relay left to end.
            if (node.Address is null) continue;
            if (await cluster.LockAsync(node, user, Request(context, admin, reason), CancellationToken.None).ConfigureAwait(false) is { } problem)
                problems.Add(problem);
        }
        return problems;
    }

    private static ClusterRequest Request(HttpContext context, string admin, string reason) =>
        new(admin, reason, context.Connection.RemoteIpAddress?.ToString());
}
