using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using Fumidai.Agent;
using Fumidai.Cli.Infrastructure;

namespace Fumidai.Cli.Commands;

/// <summary>
/// <c>fumidai agent --bastion HOST:PORT... --name NAME [--token TOKEN | --token-file FILE] [--forward 127.0.0.1:22] [--state DIR]</c>:
/// runs on a target without an inbound port and keeps it reachable by dialing out to every bastion node given.
/// </summary>
public static class AgentCommand
{
    public const string DefaultStateDirectory = "/var/lib/fumidai-agent";

    public static Command Create(CliRuntime runtime)
    {
        var bastions = new Option<string[]>("--bastion")
        {
            Description = "A bastion node's SSH address HOST:PORT; repeat for every node (one connection to each)", HelpName = "HOST:PORT",
            Required = true,
        };
        var name = new Option<string>("--name") { Description = "The target name the agent was added as", HelpName = "NAME", Required = true };
        var token = new Option<string?>("--token") { Description = "The one-time join token from `fumidai target add NAME --agent`", HelpName = "TOKEN" };
        var tokenFile = new Option<string?>("--token-file") { Description = "Read the join token from a file (keeps it out of the process list)", HelpName = "FILE" };
        var forward = new Option<string>("--forward")
        {
            Description = "The only address the agent connects the bastion to: the local sshd", HelpName = "HOST:PORT",
            DefaultValueFactory = _ => "127.0.0.1:22",
        };
        var state = new Option<string>("--state")
        {
            Description = "Directory for the agent's key and the pinned bastion host key (owner-only)", HelpName = "DIR",
            DefaultValueFactory = _ => DefaultStateDirectory,
        };
        var command = new Command("agent", "Run the agent of a target without an inbound port: dial out to the bastion and forward to the local sshd")
        {
            bastions, name, token, tokenFile, forward, state,
        };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string target = InputValidation.Name("--name", result.GetValue(name));
            var endpoints = (result.GetValue(bastions) ?? []).Select(b => Endpoint("--bastion", b)).ToArray();
            string? joinToken = result.GetValue(token);
            if (result.GetValue(tokenFile) is { } file)
            {
                if (joinToken is not null) throw CliException.Usage("give --token or --token-file, not both");
                InputValidation.InputFile("--token-file", file);
                joinToken = File.ReadAllText(file).Trim();
            }
            if (joinToken is not null && !AgentToken.TryParse(joinToken, out _, out _))
                throw CliException.Usage("--token is not a join token (it starts with fdj1. and comes from `fumidai target add NAME --agent`)");
            var options = new AgentOptions
            {
                Bastions = endpoints,
                Name = target,
                Token = joinToken,
                Forward = Endpoint("--forward", result.GetValue(forward)),
                StateDirectory = Path.GetFullPath(result.GetValue(state) ?? DefaultStateDirectory),
                Log = line => context.Error.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} fumidai-agent: {line}"),
            };
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
            {
                signal.Cancel = true;
                stop.Cancel();
            });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
            {
                signal.Cancel = true;
                stop.Cancel();
            });
            await new AgentRunner(options).RunAsync(stop.Token).ConfigureAwait(false);
        }, ct));
        return command;
    }

    private static DnsEndPoint Endpoint(string option, string? text)
    {
        int colon = text?.LastIndexOf(':') ?? -1;
        if (text is null || colon <= 0 || !int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            throw CliException.Usage($"{option} must be HOST:PORT, like bastion.example:2222; got '{text}'");
        string host = text[..colon].Trim('[', ']');
        if (host.Length == 0 || host.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            throw CliException.Usage($"{option} has no valid host: '{text}'");
        return new DnsEndPoint(host, port);
    }
}
