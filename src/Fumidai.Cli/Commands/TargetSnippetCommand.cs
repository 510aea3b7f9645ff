using System.CommandLine;
using Fumidai.Cli.Infrastructure;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai target setup-snippet [NAME]</c>: what to put on a target so it accepts the bastion's certificates.</summary>
public static class TargetSnippetCommand
{
    /// <summary>Where the snippet installs the CA key on the target (the README uses the same path).</summary>
    public const string CaPath = "/etc/ssh/fumidai_user_ca.pub";

    public static Command Create(CliRuntime runtime)
    {
        var name = new Argument<string?>("NAME") { Description = "A target, to name its logins in the snippet", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("setup-snippet", "Print the shell lines that make a target trust the bastion's user CA (run them as root on the target)")
        {
            name,
        };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var target = result.GetValue(name) is { } n
                ? await TargetCommands.RequireTargetAsync(store, n, context.CancellationToken).ConfigureAwait(false)
                : null;
            using var ca = context.Data.LoadUserCa();
            string caLine = ca.PublicKey.ToOpenSsh("fumidai-user-ca");
            var o = context.Out;
            o.WriteLine($"# Run as root on {(target is null ? "the target" : $"{target.Name} ({target.Host})")}: trust certificates from the Fumidai bastion's user CA.");
            o.WriteLine($"cat > {CaPath} <<'FUMIDAI_CA'");
            o.WriteLine(caLine);
            o.WriteLine("FUMIDAI_CA");
            o.WriteLine($"chmod 644 {CaPath}");
            o.WriteLine($"grep -q '^TrustedUserCAKeys {CaPath}' /etc/ssh/sshd_config || echo 'TrustedUserCAKeys {CaPath}' >> /etc/ssh/sshd_config");
            o.WriteLine("sshd -t && { systemctl reload ssh 2>/dev/null || systemctl reload sshd; }");
            o.WriteLine(target is null
                ? "# Each certificate names one login as its principal; that local account must exist on the target."
                : $"# The bastion logs in as: {string.Join(", ", target.Logins)} (each must exist on {target.Name}; a certificate names one as its principal).");
            o.WriteLine(target is null ? "# Then: fumidai target check NAME" : $"# Then, on the bastion: fumidai target check {target.Name}");
        }, ct));
        return command;
    }
}
