using System.CommandLine;
using System.Diagnostics;
using System.Net.Sockets;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Gateway.Audit;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Targets;
using Fumidai.Ssh;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Client;
using Fumidai.Ssh.Connection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai target check NAME</c>: logs in to the target exactly as a session would and names the first step that fails.</summary>
public static class TargetCheckCommand
{
    private const string Probe = "echo fumidai-check-$((6*7))";

    public static Command Create(CliRuntime runtime)
    {
        var name = TargetCommands.NameArgument();
        var login = new Option<string?>("--login") { Description = "The login to try (default: the target's first)", HelpName = "LOGIN" };
        var json = CliRuntime.JsonOption();
        var command = new Command("check",
            "Log in to a target as a session would (TCP, pinned host key, certificate, shell) and report each step; for an agent target, its agent's connections and host keys. Exit 1 on a failed step")
        {
            name, login, json,
        };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var target = await TargetCommands.RequireTargetAsync(store, result.GetValue(name)!, context.CancellationToken).ConfigureAwait(false);
            string who = result.GetValue(login) is { } l ? InputValidation.Name("login", l) : (target.Logins.Count > 0 ? target.Logins[0] : null)
                ?? throw CliException.Usage($"target {target.Name} has no login; give one with --login");
            var steps = target.ViaAgent
                ? await TargetCheckAgent.RunAsync(store, target, context.CancellationToken).ConfigureAwait(false)
                : await RunAsync(context, target, who).ConfigureAwait(false);
            var failed = steps.FirstOrDefault(s => !s.Ok);
            await context.RecordAsync(AuditTypes.TargetCheck, "target.check", null, target.Name, new Dictionary<string, string>
            {
                ["login"] = who,
                ["result"] = failed is null ? "ok" : "failed: " + failed.Step,
            }).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, steps);
            }
            else
            {
                context.Out.WriteLine($"checking {target.Name} ({(target.ViaAgent ? "through its agent" : $"{target.Host}:{target.Port}")}) as {who}");
                foreach (var s in steps) context.Out.WriteLine($"  {(s.Ok ? "ok  " : "FAIL")}  {s.Detail}");
                if (failed is null && target.ViaAgent)
                    context.Out.WriteLine($"{target.Name}'s agent is connected and its host keys are pinned; the login as {who} is tried by the first session");
                else if (failed is null) context.Out.WriteLine($"{target.Name} is ready: sessions to {who} will work");
            }
            if (failed is not null) throw CliException.Failure($"target {target.Name}: {failed.Step} failed" + (failed.Hint is null ? "" : "; " + failed.Hint));
        }, ct));
        return command;
    }

    /// <summary>The steps in order, stopping at the first that fails.</summary>
    private static async Task<List<CheckStep>> RunAsync(CliContext context, TargetRecord target, string login)
    {
        var steps = new List<CheckStep>();
        var timeout = Duration.Parse(context.Options.Targets.ConnectTimeout);
        var clock = Stopwatch.StartNew();
        try
        {
            using var tcp = new TcpClient();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            limit.CancelAfter(timeout);
            await tcp.ConnectAsync(target.Host, target.Port, limit.Token).ConfigureAwait(false);
            steps.Add(new("tcp", true, $"TCP connection to {target.Host}:{target.Port} ({clock.ElapsedMilliseconds} ms)", null));
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !context.CancellationToken.IsCancellationRequested)
        {
            string why = ex is SocketException s ? s.SocketErrorCode.ToString() : $"no answer within {timeout.TotalSeconds:0.#} s";
            steps.Add(new("tcp", false, $"TCP connection to {target.Host}:{target.Port}: {why}",
                "check the address, the port, and firewalls between the bastion and the target"));
            return steps;
        }

        using var userCa = context.Data.LoadUserCa();
        var dialer = new TargetDialer(context.Data.LoadProtector(), userCa, timeout, Duration.Parse(context.Options.Targets.CertificateLifetime),
            NullLogger.Instance, context.Options.Targets.CertificateSourceAddress);
        string credential = target.EncryptedPrivateKey is null ? "certificate from the bastion's user CA" : "the target's stored key";
        SshClient client;
        try
        {
            client = await dialer.DialAsync(target, login, "check-" + Environment.UserName, "check-" + Guid.NewGuid().ToString("N")[..10],
                TargetUse.Session(false), context.CancellationToken).ConfigureAwait(false);
        }
        catch (SshHostKeyException ex)
        {
            steps.Add(new("host-key", false, $"host key: {ex.Message}",
                "if the target's host key really changed, pin the new one: fumidai target set " + target.Name + " --scan"));
            return steps;
        }
        catch (SshConnectException ex)
        {
            steps.Add(new("ssh", false, $"SSH handshake: {ex.Message}", ex.NotSshReason is null ? null : "the port is not the target's sshd"));
            return steps;
        }
        catch (ClientAuthenticationException ex)
        {
            steps.Add(new("host-key", true, "host key matches the pinned one", null));
            steps.Add(new("login", false, $"{credential} refused for {login}: {ex.Message}", target.EncryptedPrivateKey is null
                ? $"the target must trust the bastion's user CA for {login}; print the lines to add with: fumidai target setup-snippet {target.Name}"
                : $"the stored key's public half must be in ~{login}/.ssh/authorized_keys on the target"));
            return steps;
        }
        await using (client)
        {
            steps.Add(new("host-key", true, $"host key matches the pinned {client.ServerHostKey.KeyType} {client.ServerHostKey.Fingerprint}", null));
            steps.Add(new("login", true, $"{credential} accepted for {login}", null));
            try
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
                limit.CancelAfter(timeout * 2);
                var run = await client.RunCommandAsync(Probe, cancellationToken: limit.Token).ConfigureAwait(false);
                bool ran = run.Exit.ExitStatus == 0 && run.Output.Contains("fumidai-check-42", StringComparison.Ordinal);
                steps.Add(new("shell", ran, ran
                    ? $"{login}'s login shell runs commands"
                    : $"{login}'s login shell did not run a command (exit {run.Exit.ExitStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? run.Exit.ExitSignal ?? "?"}): {Shorten(run.Error)}",
                    ran ? null : $"check {login}'s shell and home directory on the target"));
            }
            catch (Exception ex) when (ex is SshChannelRequestException or SshChannelOpenException or SshConnectionLostException
                                       || (ex is OperationCanceledException && !context.CancellationToken.IsCancellationRequested))
            {
                steps.Add(new("shell", false, $"{login}'s login shell: {ex.Message}", "the target's sshd refused a session channel or command"));
            }
        }
        return steps;
    }

    private static string Shorten(string text)
    {
        string line = text.Trim().Split('\n')[0];
        return line.Length > 120 ? line[..120] + "…" : line;
    }

    /// <summary>One step as written by <c>--json</c>: its name, whether it passed, what was seen, and what to do when it failed.</summary>
    public sealed record CheckStep(string Step, bool Ok, string Detail, string? Hint);
}
