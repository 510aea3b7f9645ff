using System.CommandLine;
using Fumidai.Cli.Infrastructure;
using Fumidai.Cli.Output;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Identity;
using Fumidai.Gateway.Policy;

namespace Fumidai.Cli.Commands;

/// <summary><c>fumidai role add|set|list|remove</c>: grants of targets, logins and channel kinds (deny by default).</summary>
public static class RoleCommands
{
    /// <summary>PCI DSS 8.2.8: a role may only shorten the idle timeout.</summary>
    private static readonly TimeSpan MaxIdleTimeout = TimeSpan.FromMinutes(15);

    public static Command Create(CliRuntime runtime)
    {
        var command = new Command("role", "Manage roles (add, set, list, remove): which targets, logins and channel kinds their holders may use");
        command.Subcommands.Add(Add(runtime));
        command.Subcommands.Add(Set(runtime));
        command.Subcommands.Add(List(runtime));
        command.Subcommands.Add(Remove(runtime));
        return command;
    }

    /// <summary>The options <c>role add</c> and <c>role set</c> share; for <c>set</c> each one left out keeps its value.</summary>
    private sealed class RoleOptions
    {
        public RoleOptions(bool adding)
        {
            Targets = new Option<string[]>("--targets")
            {
                Description = "Target name patterns (* and ?), comma-separated", HelpName = "PATTERN[,PATTERN]", Required = adding,
            };
            Logins = new Option<string[]>("--logins") { Description = "Logins, comma-separated", HelpName = "LOGIN[,LOGIN]", Required = adding };
            Allow = new Option<string[]>("--allow")
            {
                Description = $"Channel kinds allowed, comma-separated, from {string.Join(',', ChannelKinds.All)}"
                    + (adding ? $" (default: {string.Join(',', ChannelKinds.Default)})" : ""),
                HelpName = "KIND[,KIND]",
            };
            string clear = adding ? "" : "; 'none' removes it";
            Idle = new Option<string?>("--idle-timeout") { Description = "Idle timeout for these sessions, at most 15m" + clear, HelpName = "DURATION" };
            Max = new Option<string?>("--max-session") { Description = "Maximum session duration" + clear, HelpName = "DURATION" };
        }

        public Argument<string> Name { get; } = new("NAME") { Description = "The role's name" };

        public Option<string[]> Targets { get; }

        public Option<string[]> Logins { get; }

        public Option<string[]> Allow { get; }

        public Option<string?> Idle { get; }

        public Option<string?> Max { get; }

        public Command Command(string verb, string description) => new(verb, description) { Name, Targets, Logins, Allow, Idle, Max };

        public string RoleName(ParseResult result)
        {
            string role = InputValidation.Name("role", result.GetValue(Name));
            if (BuiltInRoles.IsBuiltIn(role)) throw CliException.Conflict($"'{role}' is a built-in role");
            return role;
        }

        /// <summary>The role as the command line describes it, starting from <paramref name="current"/> (null for add).</summary>
        public AccessRole Read(ParseResult result, string role, AccessRole? current)
        {
            var patterns = Given(result, Targets) is { } t ? t.Select(Pattern).ToArray() : current?.TargetPatterns.ToArray() ?? [];
            if (patterns.Length == 0) throw CliException.Usage("--targets: at least one pattern is required");
            var logins = Given(result, Logins) is { } l ? l.Select(x => InputValidation.Name("login", x)).ToArray() : current?.Logins.ToArray() ?? [];
            if (logins.Length == 0) throw CliException.Usage("--logins: at least one login is required");
            var kinds = Given(result, Allow) is { } a ? a.Select(Kind).ToArray() : current?.Allow.ToArray() ?? ChannelKinds.Default.ToArray();
            if (kinds.Length == 0) throw CliException.Usage("--allow: at least one channel kind is required");
            var idle = Limit(result.GetValue(Idle), "--idle-timeout", current?.IdleTimeout);
            if (idle is { } tooLong && tooLong > MaxIdleTimeout)
                throw CliException.Usage($"--idle-timeout: {Duration.Format(tooLong)} is longer than 15m; a role may only shorten the idle timeout (PCI DSS 8.2.8)");
            var max = Limit(result.GetValue(Max), "--max-session", current?.MaxSession);
            return new AccessRole(role, patterns, logins, kinds, idle, max);
        }

        private static string[]? Given(ParseResult result, Option<string[]> option) =>
            result.GetValue(option) is { Length: > 0 } given ? Values(given).ToArray() : null;

        private static TimeSpan? Limit(string? value, string option, TimeSpan? current) => value switch
        {
            null => current,
            "none" => null,
            _ => InputValidation.Duration(option, value),
        };
    }

    private static Dictionary<string, string> Details(AccessRole role)
    {
        var details = new Dictionary<string, string>
        {
            ["role"] = role.Name,
            ["targets"] = string.Join(',', role.TargetPatterns),
            ["logins"] = string.Join(',', role.Logins),
            ["allow"] = string.Join(',', role.Allow),
        };
        if (role.IdleTimeout is { } it) details["idle_timeout"] = Duration.Format(it);
        if (role.MaxSession is { } ms) details["max_session"] = Duration.Format(ms);
        return details;
    }

    private static Command Add(CliRuntime runtime)
    {
        var options = new RoleOptions(adding: true);
        var certificates = new RoleCertificateOptions();
        var auth = new RoleAuthOption();
        var command = options.Command("add", "Add a role");
        certificates.AddTo(command);
        auth.AddTo(command);
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            var role = options.Read(result, options.RoleName(result), null);
            certificates.Read(result, role.Name, null);
            auth.Read(result);
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            if (!await store.AddRoleAsync(role, context.CancellationToken).ConfigureAwait(false))
                throw CliException.Conflict($"role '{role.Name}' already exists");
            var added = Details(role);
            await certificates.SaveAsync(store, result, role.Name, added, context.CancellationToken).ConfigureAwait(false);
            await auth.SaveAsync(store, result, role.Name, added, context.CancellationToken).ConfigureAwait(false);
            await context.RecordChangeAsync("role.add", details: added).ConfigureAwait(false);
            context.Out.WriteLine($"added role {role.Name}");
        }, ct));
        return command;
    }

    private static Command Set(CliRuntime runtime)
    {
        var options = new RoleOptions(adding: false);
        var certificates = new RoleCertificateOptions();
        var auth = new RoleAuthOption();
        var command = options.Command("set", "Change a role: each option given replaces that part; open sessions it no longer allows end");
        certificates.AddTo(command);
        auth.AddTo(command);
        command.SetAction((result, ct) => runtime.RunAsync(result, async context =>
        {
            string name = options.RoleName(result);
            var store = await context.OpenStoreAsync().ConfigureAwait(false);
            var current = (await store.ListRolesAsync(context.CancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.Name == name)
                ?? throw CliException.NotFound($"role '{name}' does not exist");
            var role = options.Read(result, name, current);
            auth.Read(result);
            if (!await store.UpdateRoleAsync(role, context.CancellationToken).ConfigureAwait(false))
                throw CliException.NotFound($"role '{name}' does not exist");
            await UserCommands.RevokeAsync(context, store, Gateway.Storage.RevocationScopes.Policy, null, $"role {name} changed").ConfigureAwait(false);
            var details = Details(role);
            foreach (var (key, value) in Details(current)) details["previous_" + key] = value;
            details.Remove("previous_role");
            await certificates.SaveAsync(store, result, name, details, context.CancellationToken).ConfigureAwait(false);
            await auth.SaveAsync(store, result, name, details, context.CancellationToken).ConfigureAwait(false);
            await context.RecordChangeAsync("role.set", details: details).ConfigureAwait(false);
            context.Out.WriteLine($"changed role {name}: targets {details["targets"]}, logins {details["logins"]}, allow {details["allow"]}");
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
            var auth = await store.ListRoleAuthAsync(context.CancellationToken).ConfigureAwait(false);
            string Auth(string role) => auth.TryGetValue(role, out var method) ? method : RoleAuthMethods.Totp;
            var views = new[] { BuiltInRoles.Admin, BuiltInRoles.Auditor, BuiltInRoles.User }
                .Select(r => new RoleView(r, true, [], [], [], null, null, Auth(r)))
                .Concat((await store.ListRolesAsync(context.CancellationToken).ConfigureAwait(false)).Select(r => new RoleView(r.Name, false,
                    r.TargetPatterns, r.Logins, r.Allow, r.IdleTimeout is { } it ? Duration.Format(it) : null,
                    r.MaxSession is { } ms ? Duration.Format(ms) : null, Auth(r.Name))))
                .ToList();
            if (result.GetValue(json))
            {
                JsonOutput.Write(context.Out, views);
                return;
            }
            var table = new TableWriter("NAME", "TARGETS", "LOGINS", "ALLOW", "IDLE", "MAX", "AUTH");
            foreach (var v in views)
            {
                if (v.BuiltIn) table.Add(v.Name, "(built-in)", "-", "-", "-", "-", v.Auth);
                else table.Add(v.Name, string.Join(',', v.Targets), string.Join(',', v.Logins), string.Join(',', v.Allow), v.IdleTimeout, v.MaxSession, v.Auth);
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

    /// <summary>A role as shown and as written by <c>--json</c>; <see cref="Auth"/> is its SSH second factor (totp or sso).</summary>
    public sealed record RoleView(string Name, bool BuiltIn, IReadOnlyList<string> Targets, IReadOnlyList<string> Logins,
        IReadOnlyList<string> Allow, string? IdleTimeout, string? MaxSession, string Auth);
}
