using System.CommandLine;
using System.Diagnostics;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Administration;
using Fumidai.Gateway.Sessions;
using Fumidai.Gateway.Storage;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai sessions kill ID [--reason TEXT]</c>: the node running the session ends it and tells the operator why.</summary>
public static class SessionKillCommand
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public static Command Create(CliRuntime runtime)
    {
        var id = SessionCommands.IdArgument();
        var reason = new Option<string?>("--reason") { Description = "Why, shown to the operator and audited", HelpName = "TEXT" };
        var noWait = new Option<bool>("--no-wait") { Description = "Return once the request is stored, without waiting for the session to end" };
        var command = new Command("kill", "End a running session (the bastion running it ends it within seconds, with a notice to the operator)")
        {
            id, reason, noWait,
        };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string why = Reason(result.GetValue(reason));
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var session = await SessionCommands.RequireSessionAsync(store, result.GetValue(id)!, context.CancellationToken).ConfigureAwait(false);
            if (session.Status != SessionStatus.Running)
                throw CliException.Conflict($"session {session.Id} is not running ({session.Status})");
            await UserCommands.RevokeAsync(context, store, RevocationScopes.Session, session.User, why, session.Id).ConfigureAwait(false);
            await context.RecordChangeAsync("sessions.kill", session.User, session.Target, new Dictionary<string, string>
            {
                ["session"] = session.Id,
                ["reason"] = why,
            }).ConfigureAwait(false);
            if (result.GetValue(noWait))
            {
                context.Out.WriteLine($"session {session.Id}: kill requested");
                return;
            }
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < Wait)
            {
                await Task.Delay(250, context.CancellationToken).ConfigureAwait(false);
                if (await store.GetSessionAsync(session.Id, context.CancellationToken).ConfigureAwait(false) is { Status: not SessionStatus.Running } ended)
                {
                    context.Out.WriteLine($"session {session.Id} of {session.User} ended ({ended.EndReason})");
                    return;
                }
            }
            throw CliException.Failure($"session {session.Id}: kill requested, but no bastion ended it within {Wait.TotalSeconds:0} s; is `fumidai serve` running?");
        }, ct));
        return command;
    }

    private static string Reason(string? value)
    {
        string text = (value ?? "").Trim();
        return AdminReason.Problem(text) is { } problem ? throw CliException.Usage("--reason: " + problem) : text;
    }
}
