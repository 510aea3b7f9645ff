using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Policy;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai role add|list|remove</c>: grants of targets, logins and channel kinds (deny by default).</summary>
public static class RoleCommands
{
    /// <summary>PCI DSS 8.2.8: a role may only shorten the idle timeout.</summary>
    private static readonly TimeSpan MaxIdleTimeout = TimeSpan.FromMinutes(15);

    public static Command Create(CliRuntime runtime)
    {
        var command = new Command("role", "Manage roles: which targets, logins and channel kinds their holders may use");
        command.Subcommands.Add(Add(runtime));
        command.Subcommands.Add(List(runtime));
        command.Subcommands.Add(Remove(runtime));
        return command;
    }

    private static Command Add(CliRuntime runtime)
    {
        var name = new Argument<string>("NAME") { Description = "The role's name" };
        var targets = new Option<string[]>("--targets")
        {
            Description = "Target name patterns (* and ?), comma-separated", HelpName = "PATTERN[,PATTERN]", Required = true,
        };
        var logins = new Option<string[]>("--logins") { Description = "Logins, comma-separated", HelpName = "LOGIN[,LOGIN]", Required = true };
        var allow = new Option<string[]>("--allow")
        {
            Description = $"Channel kinds allowed, comma-separated, from {string.Join(',', ChannelKinds.All)} (default: {string.Join(',', ChannelKinds.Default)})",
            HelpName = "KIND[,KIND]",
        };
        var idle = new Option<string?>("--idle-timeout") { Description = "Idle timeout for these sessions, at most 15m", HelpName = "DURATION" };
        var max = new Option<string?>("--max-session") { Description = "Maximum session duration", HelpName = "DURATION" };
        var command = new Command("add", "Add a role") { name, targets, logins, allow, idle, max };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string role = InputValidation.Name("role", result.GetValue(name));
            if (BuiltInRoles.IsBuiltIn(role)) throw CliException.Conflict($"'{role}' is a built-in role");
            var patterns = Values(result.GetValue(targets)).Select(Pattern).ToArray();
            if (patterns.Length == 0) throw CliException.Usage("--targets: at least one pattern is required");
            var loginNames = Values(result.GetValue(logins)).Select(l => InputValidation.Name("login", l)).ToArray();
            if (loginNames.Length == 0) throw CliException.Usage("--logins: at least one login is required");
            var kinds = result.GetValue(allow) is { Length: > 0 } given ? Values(given).Select(Kind).ToArray() : ChannelKinds.Default.ToArray();
            if (kinds.Length == 0) throw CliException.Usage("--allow: at least one channel kind is required");
            TimeSpan? idleTimeout = result.GetValue(idle) is { } i ? InputValidation.Duration("--idle-timeout", i) : null;
            if (idleTimeout is { } tooLong && tooLong > MaxIdleTimeout)
                throw CliException.Usage($"--idle-timeout: {Duration.Format(tooLong)} is longer than 15m; a role may only shorten the idle timeout (PCI DSS 8.2.8)");
            TimeSpan? maxSession = result.GetValue(max) is { } m ? InputValidation.Duration("--max-session", m) : null;

            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            if (!await store.AddRoleAsync(new AccessRole(role, patterns, loginNames, kinds, idleTimeout, maxSession), context.CancellationToken)
                    .ConfigureAwait(false))
                throw CliException.Conflict($"role '{role}' already exists");
            var details = new Dictionary<string, string>
            {
                ["role"] = role,
                ["targets"] = string.Join(',', patterns),
                ["logins"] = string.Join(',', loginNames),
                ["allow"] = string.Join(',', kinds),
            };
            if (idleTimeout is { } it) details["idle_timeout"] = Duration.Format(it);
            if (maxSession is { } ms) details["max_session"] = Duration.Format(ms);
            await context.RecordChangeAsync("role.add", details: details).ConfigureAwait(false);
            context.Out.WriteLine($"added role {role}");
        }, ct));
        return command;
    }

    private static Command List(CliRuntime runtime)
    {
        var json = CliRuntime.JsonOption();
        var command = new Command("list", "List roles (built-in ones first)") { json };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var views = new[] { BuiltInRoles.Admin, BuiltInRoles.Auditor, BuiltInRoles.User }
                .Select(r => new RoleView(r, true, [], [], [], null, null))
                .Concat((await store.ListRolesAsync(context.CancellationToken).ConfigureAwait(false)).Select(r => new RoleView(r.Name, false,
                    r.TargetPatterns, r.Logins, r.Allow, r.IdleTimeout is { } it ? Duration.Format(it) : null,
                    r.MaxSession is { } ms ? Duration.Format(ms) : null)))
                .ToList();
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, views);
                return;
            }
            var table = new TableWriter("NAME", "TARGETS", "LOGINS", "ALLOW", "IDLE", "MAX");
            foreach (var v in views)
            {
                if (v.BuiltIn) table.Add(v.Name, "(built-in)", "-", "-", "-", "-");
                else table.Add(v.Name, string.Join(',', v.Targets), string.Join(',', v.Logins), string.Join(',', v.Allow), v.IdleTimeout, v.MaxSession);
            }
            table.Write(context.Out);
        }, ct));
        return command;
    }

    private static Command Remove(CliRuntime runtime)
    {
        var name = new Argument<string>("NAME") { Description = "The role's name" };
        var command = new Command("remove", "Remove a role that no user holds") { name };
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string role = InputValidation.Name("role", result.GetValue(name));
            if (BuiltInRoles.IsBuiltIn(role)) throw CliException.Conflict($"'{role}' is a built-in role and cannot be removed");
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            if (!(await store.ListRolesAsync(context.CancellationToken).ConfigureAwait(false)).Any(r => r.Name == role))
                throw CliException.NotFound($"role '{role}' does not exist");
            // Refused rather than silently taken from users, so nobody loses access as a side effect.
            var holders = (await store.ListUsersAsync(context.CancellationToken).ConfigureAwait(false)).Where(u => u.HasRole(role)).Select(u => u.Name).ToList();
            if (holders.Count > 0)
                throw CliException.Conflict($"role '{role}' is held by {string.Join(", ", holders)}; change their roles with `fumidai user set` first");
            if (!await store.RemoveRoleAsync(role, context.CancellationToken).ConfigureAwait(false))
                throw CliException.NotFound($"role '{role}' does not exist");
            await context.RecordChangeAsync("role.remove", details: new Dictionary<string, string> { ["role"] = role }).ConfigureAwait(false);
            context.Out.WriteLine($"removed role {role}");
        }, ct));
        return command;
    }

    private static IEnumerable<string> Values(string[]? values) => (values ?? []).SelectMany(InputValidation.SplitList);

    private static string Pattern(string value)
    {
        if (value.Length > 64 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '*' or '?'))
            throw CliException.Usage($"--targets: invalid pattern '{value}': use target name characters and * or ?");
        return value;
    }

    private static string Kind(string value) => ChannelKinds.All.Contains(value)
        ? value
        : throw CliException.Usage($"--allow: unknown channel kind '{value}'; use {string.Join(", ", ChannelKinds.All)}");

    /// <summary>A role as shown and as written by <c>--json</c>.</summary>
    public sealed record RoleView(string Name, bool BuiltIn, IReadOnlyList<string> Targets, IReadOnlyList<string> Logins,
        IReadOnlyList<string> Allow, string? IdleTimeout, string? MaxSession);
}
