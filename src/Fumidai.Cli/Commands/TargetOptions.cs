using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Ssh.Keys;

namespace Fumidai.Cli.Commands;

/// <summary>The options <c>target add</c> and <c>target set</c> share; for <c>set</c> each one left out keeps its value.</summary>
internal sealed class TargetOptions
{
    public TargetOptions(bool adding)
    {
        Host = new Option<string?>("--host") { Description = "Host name or IP address", HelpName = "HOST" };
        Port = new Option<int>("--port") { Description = "SSH port", HelpName = "PORT" };
        if (adding) Port.DefaultValueFactory = _ => 22;
        string replaces = adding ? "" : " (replaces the current ones)";
        LoginOption = new Option<string[]>("--login")
        {
            Description = "Login (account) on the target; repeat or separate with commas" + replaces, HelpName = "LOGIN",
        };
        HostKeyOption = new Option<string[]>("--host-key") { Description = "Pinned host key \"TYPE BASE64\"; repeat for several" + replaces, HelpName = "KEY" };
    }

    public Argument<string> Name { get; } = TargetCommands.NameArgument();

    public Option<string?> Host { get; }

    public Option<int> Port { get; }

    public Option<string[]> LoginOption { get; }

    public Option<string[]> HostKeyOption { get; }

    public Option<bool> Scan { get; } = new("--scan") { Description = "Fetch the host keys now and pin them after you confirm their fingerprints" };

    public Option<bool> Yes { get; } = new("--yes") { Description = "With --scan: pin without asking; with --agent: pin the host keys its agent reports first" };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = "Private key the bastion logs in with, stored encrypted (default: short-lived certificates from the user CA)",
        HelpName = "FILE",
    };

    public Command Command(string verb, string description) =>
        new(verb, description) { Name, Host, Port, LoginOption, HostKeyOption, Scan, Yes, Key };

    public string[] Logins(ParseResult result) =>
        (result.GetValue(LoginOption) ?? []).SelectMany(InputValidation.SplitList).Select(l => InputValidation.Name("login", l)).Distinct().ToArray();

    public List<SshPublicKey> HostKeys(ParseResult result) => (result.GetValue(HostKeyOption) ?? []).Select(TargetAddCommand.HostKey).ToList();

    /// <summary>Whether to scan; refuses --scan with --host-key, and --yes without --scan.</summary>
    public bool Scanning(ParseResult result, IReadOnlyList<SshPublicKey> givenKeys)
    {
        bool scanning = result.GetValue(Scan);
        if (scanning && givenKeys.Count > 0) throw CliException.Usage("give either --host-key or --scan, not both");
        if (result.GetValue(Yes) && !scanning) throw CliException.Usage("--yes only applies to --scan");
        return scanning;
    }
}
