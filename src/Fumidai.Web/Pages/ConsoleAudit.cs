using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Sessions;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>Audit events for what a console user reads or does: who (the console user), from where, and what.</summary>
public static class ConsoleAudit
{
    /// <summary>A recording, transcript, command list or download was read (PCI DSS 10.2.1.3).</summary>
    public static Task RecordAccessAsync(ConsoleServices console, HttpContext context, SessionRecord session, string how, CheckedRecording? read)
    {
        var details = new Dictionary<string, string>
        {
            ["action"] = "web." + how,
            ["session"] = session.Id,
            ["session_user"] = session.User,
            ["recording"] = session.Recording ?? "",
        };
        if (read is not null)
            details["verification"] = read.Trust switch
            {
                RecordingTrust.Verified => "verified",
                RecordingTrust.InProgress => "in progress, not yet signed",
                _ => "unverified: " + read.Problem,
            };
        return RecordAsync(console, context, AuditTypes.RecordingAccess, session.Target, details);
    }

    /// <summary>The signed-in console user as the actor of a change, from her address, through the <c>web</c>.</summary>
    public static AdminActor Actor(HttpContext context) =>
        new(ConsoleUser.From(context.User)?.Name ?? "", context.Connection.RemoteIpAddress?.ToString() ?? "", "web");

    /// <summary>An event by the signed-in console user; her name is the event's user and the <c>actor</c>, the channel is <c>web</c>.</summary>
    public static Task RecordAsync(ConsoleServices console, HttpContext context, string type, string? target, Dictionary<string, string> details,
        string? user = null)
    {
        var actor = ConsoleUser.From(context.User);
        details["actor"] = actor?.Name ?? "";
        details["via"] = "web";
        return console.Audit.RecordAsync(type, AuditOutcome.Success, user ?? actor?.Name, context.Connection.RemoteIpAddress?.ToString(), target, details,
            CancellationToken.None);
    }
}
