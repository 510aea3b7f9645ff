using System.CommandLine;
using System.Runtime.InteropServices;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Gateway;
using Fumidai.Gateway.Bastion;
using Fumidai.Gateway.Lifecycle;
using Fumidai.Web.Health;
using Fumidai.Web.Hosting;
using Microsoft.Extensions.Logging;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai serve</c>: run the bastion and its web console, logging to stdout; SIGTERM or Ctrl-C drains and stops, a second one cuts at once.</summary>
public static class ServeCommand
{
    public static Command Create(CliRuntime runtime)
    {
        var listen = new Option<string?>("--ssh-listen")
        {
            Description = "Address and port for operators' SSH connections (default from the configuration: 0.0.0.0:2222)",
            HelpName = "ADDR:PORT",
        };
        var noSsh = new Option<bool>("--no-ssh")
        {
            Description = "Run only the web console (e.g. on a separate auditors' host sharing the stores); needs Web:Enabled",
        };
        var command = new Command("serve", "Run the bastion: operators connect with ssh, sessions are recorded; the web console for admins "
            + "and auditors listens on Web:Listen (0.0.0.0:8443, HTTPS) unless Web:Enabled is false; /healthz and /metrics (plain HTTP) on "
            + "Health:Listen (127.0.0.1:9090) unless Health:Enabled is false. SIGTERM or Ctrl-C "
            + "stops new logins and lets sessions finish for Sessions:DrainTimeout (60s), then cuts them; a second one cuts at once");
        command.Options.Add(listen);
        command.Options.Add(noSsh);
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            RequireOwnerOnly(context.Data);
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            bool ssh = !result.GetValue(noSsh);
            bool web = context.Options.Web.Enabled;
            if (!ssh && !web) throw CliException.Usage("--no-ssh with Web:Enabled = false leaves nothing to serve");
            // The console alone reads the cluster's keys too (audit key to verify, CAs to show): a fresh member's directory has
            // none until they are taken from the database, as the SSH half does when it runs.
            if (!ssh && context.Options.Metadata.IsPostgres)
                await context.Data.SyncClusterKeysAsync(store, context.Data.LoadProtector(), context.CancellationToken).ConfigureAwait(false);
            // With the audit log as JSON lines on stdout, the log goes to stderr so a collector reads stdout as pure JSON.
            using var loggers = EscapingConsoleFormatter.CreateFactory(toStandardError: context.Options.Audit.Stdout);
            LogOpenFileLimit(loggers.CreateLogger("fumidai.serve"));
            // The first SIGTERM or Ctrl-C drains; a second one cuts the sessions still running.
            using var requests = new StopRequests();
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
            {
                signal.Cancel = true;
                requests.Request();
            });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
            {
                signal.Cancel = true;
                requests.Request();
            });
            using var cancelled = ct.Register(requests.Request);
            // Either half failing (a port taken, a bad certificate) stops the other: a bastion half up is not what was asked for.
            var tasks = new List<Task>();
            var health = new NodeHealth();
            // Health outlives the drain: a load balancer must see 503 while sessions finish, so it stops only after the bastion.
            using var healthStop = new CancellationTokenSource();
            var healthListener = ssh && context.Options.Health.Enabled
                ? StopOthersOnFailure(new HealthListener(context.Options.Health, health, loggers).RunAsync(healthStop.Token), requests)
                : Task.CompletedTask;
            // The console streams the live screens of the sessions this process runs.
            var liveScreens = new LiveScreens();
            if (web) tasks.Add(StopOthersOnFailure(new WebConsole(context.Data, loggers, liveScreens).RunAsync(requests.Drain), requests));
            // Other nodes' consoles reach this node's sessions through the cluster listener, when it has one.
            var sessions = new SessionRegistry();
            // Like health, it outlives the drain: a session still finishing can be watched and terminated from another node.
            using var clusterStop = new CancellationTokenSource();
            var clusterListener = ssh && context.Options.Cluster.Enabled
                ? StopOthersOnFailure(new Fumidai.Web.Cluster.ClusterListener(context.Data, liveScreens, sessions, loggers).RunAsync(clusterStop.Token), requests)
                : Task.CompletedTask;
            if (ssh && !context.Options.Cluster.Enabled)
                await store.SetNodeAddressAsync(context.Options.Node.Name, null, DateTimeOffset.UtcNow, context.CancellationToken).ConfigureAwait(false);
            if (ssh) tasks.Add(StopOthersOnFailure(new BastionService(context.Data, loggers, liveScreens, sessions) { Health = health }.RunAsync(result.GetValue(listen), requests), requests));
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (DataDirectoryInUseException ex)
            {
                throw new CliException(ExitCodes.Conflict, ex.Message);
            }
            finally
            {
                await clusterStop.CancelAsync().ConfigureAwait(false);
                await healthStop.CancelAsync().ConfigureAwait(false);
            }
            await clusterListener.ConfigureAwait(false);
            await healthListener.ConfigureAwait(false);
        }, CancellationToken.None));
        return command;
    }

    private static void LogOpenFileLimit(ILogger logger)
    {
        if (Posix.RaiseOpenFileLimit() is not var (before, after, hard))
        {
            logger.LogWarning("could not read the open-file limit; each session holds about three open files");
            return;
        }
        if (after < hard)
            logger.LogWarning("open-file limit {Limit}, below the hard limit {Hard}: at most about {Sessions} sessions", after, hard, after / 3);
        else if (before < after)
            logger.LogInformation("open-file limit raised from {Before} to {Limit}, the hard limit (about {Sessions} sessions; LimitNOFILE raises it)",
                before, after, after / 3);
        else
            logger.LogInformation("open-file limit {Limit}, the hard limit (about {Sessions} sessions; LimitNOFILE raises it)", after, after / 3);
    }

    private static async Task StopOthersOnFailure(Task run, StopRequests requests)
    {
        try
        {
            await run.ConfigureAwait(false);
        }
        catch
        {
            if (!requests.Drain.IsCancellationRequested) requests.Request();
            throw;
        }
    }

    /// <summary>Refuses a data directory others can read or write: its keys, secrets and recordings are the bastion's alone.</summary>
    private static void RequireOwnerOnly(DataDirectory data)
    {
        if (!Directory.Exists(data.Root) || data.FindNotOwnerOnly() is not { } loose) return;
        throw new CliException(ExitCodes.Configuration,
            $"{loose.Path} has mode {Convert.ToString((int)loose.Mode, 8).PadLeft(4, '0')}: group or others may use it, and everything in "
            + $"the data directory must be owner-only; fix it with: chmod -R go-rwx {data.Root}");
    }
}
