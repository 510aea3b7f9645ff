using System.Text.Json;
using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;
using Fumidai.Web.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Fumidai.Web.Cluster;

/// <summary>
/// What the cluster listener serves, for sessions running on this node only: the live stream exactly as a console serves it,
/// terminate (the session ends <c>killed</c>, audited naming the admin and the console node) and the session-ending part of
/// lock. The caller is a node: the TLS handshake checked its certificate; its name comes from that certificate, never the body.
/// </summary>
internal sealed class ClusterEndpoints(LiveScreens screens, SessionRegistry sessions, MetadataStore store, IAuditLog audit, string node)
{
    /// <summary>How long one relayed stream may last; the console's own limit (half the idle sign-out) is far shorter.</summary>
    private static readonly TimeSpan MaxStream = TimeSpan.FromHours(1);

    public void Map(WebApplication app)
    {
        app.MapGet("/cluster/sessions/{id}/stream", async (string id, HttpContext context, IHostApplicationLifetime lifetime) =>
        {
            if (!QueryInput.IsSessionId(id) || screens.Find(id) is not { } screen)
                return Results.Json(new { error = $"session {Short(id)} is not running on node {node}" }, statusCode: StatusCodes.Status404NotFound);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            stop.CancelAfter(MaxStream);
            await LiveStream.PumpAsync(context.Response, screen, stop.Token).ConfigureAwait(false);
            return Results.Empty;
        });

        app.MapPost("/cluster/sessions/{id}/terminate", async (string id, HttpContext context) =>
        {
            if (await ReadAsync(context).ConfigureAwait(false) is not { } request) return Bad("admin, reason and source are required");
            if (!QueryInput.IsSessionId(id)) return Bad("not a session id");
            var session = await store.GetSessionAsync(id, context.RequestAborted).ConfigureAwait(false);
            if (session is null || session.Status != SessionStatus.Running || session.Node != node)
                return Results.Json(new { error = $"session {id} is not running on node {node}" }, statusCode: StatusCodes.Status404NotFound);
            // In the store first, so a session still registering here is ended by the revocation watcher when it does.
            await store.AddRevocationAsync(RevocationScopes.Session, session.User, session.Id, request.Reason, request.Admin, CancellationToken.None)
                .ConfigureAwait(false);
            bool ended = sessions.Session(session.Id)?.End(SessionEndReason.Killed, "session closed by an administrator: " + request.Reason) ?? false;
            await audit.RecordAsync(AuditTypes.AdminChange, AuditOutcome.Success, session.User, request.Source, session.Target, new Dictionary<string, string>
            {
                ["action"] = "web.terminate",
                ["session"] = session.Id,
                ["reason"] = request.Reason,
                ["actor"] = request.Admin,
                ["via"] = "web",
                ["console_node"] = CallerNode(context),
                ["node"] = node,
            }, CancellationToken.None).ConfigureAwait(false);
            return Results.Json(new { ended });
        });

        app.MapPost("/cluster/users/{name}/lock", async (string name, HttpContext context) =>
        {
            if (await ReadAsync(context).ConfigureAwait(false) is null) return Bad("admin, reason and source are required");
            if (!LoginName.IsValidName(name)) return Bad("not a user name");
            // Only the ending: the console disabled her in the store first, and this node acts on nothing less.
            var user = await store.GetUserAsync(name, context.RequestAborted).ConfigureAwait(false);
            if (user is null || !user.Disabled)
                return Results.Json(new { error = $"user {name} is not disabled in the store" }, statusCode: StatusCodes.Status409Conflict);
            int ended = 0;
            foreach (var connection in sessions.Connections.Where(c => c.UserName == name))
            {
                _ = connection.EndAsync(SessionEndReason.Revoked, "access revoked: the account is disabled");
                ended++;
            }
            return Results.Json(new { ended });
        });
    }

    private static string CallerNode(HttpContext context) =>
        context.Connection.ClientCertificate is { } certificate ? NodeCertificates.NodeName(certificate) : "";

    private static string Short(string id) => id.Length <= 128 ? id : id[..128];

    private static IResult Bad(string problem) => Results.Json(new { error = problem }, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>The body of terminate and lock, checked as the console checks its own forms.</summary>
    private static async Task<ClusterRequest?> ReadAsync(HttpContext context)
    {
        ClusterRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<ClusterRequest>(context.Request.Body, ClusterRequest.Json, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
        if (request is null || !LoginName.IsValidName(request.Admin ?? "") || string.IsNullOrWhiteSpace(request.Reason)
            || AdminReason.Problem(request.Reason) is not null || (request.Source ?? "").Length > 64)
            return null;
        return request;
    }
}

/// <summary>What a console sends with terminate and lock: the admin, her reason, and the address she signed in from.</summary>
public sealed record ClusterRequest(string Admin, string Reason, string? Source)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
