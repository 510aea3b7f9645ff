using System.Globalization;
using System.Text;
using Fumidai.Gateway.Administration;
using Fumidai.Ssh.Keys;
using Fumidai.Web.Auth;
using Fumidai.Web.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fumidai.Web.Pages;

/// <summary>
/// Adding a target and re-pinning its host keys, each in two steps as <c>target add --scan</c> asks: the scan shows the fingerprints
/// (old and new for a re-pin), and only the admin's confirmation pins them, through the shared <see cref="TargetAdministration"/>.
/// </summary>
public static class AdminTargetActions
{
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromSeconds(10);

    public static void Map(WebApplication app)
    {
        app.MapPost("/admin/targets/scan", async (HttpContext context, ConsoleServices console, IAntiforgery antiforgery) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var (name, host, port, logins) = Address(form);
            if (await console.Store.GetTargetAsync(name, context.RequestAborted).ConfigureAwait(false) is not null)
                throw AdminRuleException.Conflict($"target '{name}' already exists");
            var keys = await TargetRules.ScanAsync(host, port, ScanTimeout, context.RequestAborted).ConfigureAwait(false);
            var html = new StringBuilder($"<p>Host keys of {Html.E(host)}:{port.ToString(CultureInfo.InvariantCulture)}; compare them with the server's "
                + "(<code>ssh-keygen -lf</code>) before you pin them.</p>").Append(Keys("new-keys", keys.Select(k => k.Fingerprint)))
                .Append("<form method=\"post\" action=\"/admin/targets\" id=\"confirm\">").Append(Html.Antiforgery(context, antiforgery))
                .Append(Hidden("name", name)).Append(Hidden("host", host)).Append(Hidden("port", port.ToString(CultureInfo.InvariantCulture)))
                .Append(Hidden("logins", string.Join(',', logins))).Append(string.Concat(keys.Select(k => Hidden("key", k.ToString()))))
                .Append("<button type=\"submit\">Pin these keys and add the target</button></form>");
            return Html.Page($"Add target {name}", html.ToString(), ConsoleUser.From(context.User), context);
        }).RequireAuthorization(ConsoleAuthentication.AdminPolicy);

        app.MapPost("/admin/targets", async (HttpContext context, ConsoleServices console) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var (name, host, port, logins) = Address(form);
            var record = await Targets(console, context).AddAsync(name, host, port, logins, PinnedKeys(form), "scan", null, CancellationToken.None)
                .ConfigureAwait(false);
            return Done(context, $"Target {name} added", $"added target {record.Name} ({record.Host}:{record.Port}), credential {record.CredentialKind}");
        }).RequireAuthorization(ConsoleAuthentication.AdminPolicy);

        app.MapPost("/admin/targets/{name}/scan", async (string name, HttpContext context, ConsoleServices console, IAntiforgery antiforgery) =>
        {
            var target = await TargetRules.RequireTargetAsync(console.Store, name, context.RequestAborted).ConfigureAwait(false);
            var keys = await TargetRules.ScanAsync(target.Host, target.Port, ScanTimeout, context.RequestAborted).ConfigureAwait(false);
            var html = new StringBuilder("<h2>Pinned now</h2>").Append(Keys("old-keys", target.HostKeys.Select(TargetRules.Fingerprint)))
                .Append("<h2>Offered by ").Append(Html.E(target.Host)).Append(':').Append(target.Port.ToString(CultureInfo.InvariantCulture)).Append("</h2>")
                .Append(Keys("new-keys", keys.Select(k => k.Fingerprint)))
                .Append("<p>Re-pin only if you know why the key changed (the server was reinstalled); otherwise someone may be in between.</p>")
                .Append("<form method=\"post\" action=\"/admin/targets/").Append(Html.E(target.Name)).Append("/host-keys\" id=\"confirm\">")
                .Append(Html.Antiforgery(context, antiforgery)).Append(string.Concat(keys.Select(k => Hidden("key", k.ToString()))))
                .Append("<button type=\"submit\">Pin the offered keys</button></form>");
            return Html.Page($"Re-pin {target.Name}", html.ToString(), ConsoleUser.From(context.User), context);
        }).RequireAuthorization(ConsoleAuthentication.AdminPolicy);

        app.MapPost("/admin/targets/{name}/host-keys", async (string name, HttpContext context, ConsoleServices console) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var current = await TargetRules.RequireTargetAsync(console.Store, name, context.RequestAborted).ConfigureAwait(false);
            var pinned = PinnedKeys(form);
            var updated = current with { HostKeys = pinned.Select(k => k.ToString()).ToArray() };
            await Targets(console, context).UpdateAsync(current, updated, "scan", null, CancellationToken.None).ConfigureAwait(false);
            return Done(context, $"Target {current.Name}", $"host keys were: {TargetRules.Fingerprints(current.HostKeys)}; "
                + $"host keys now: {TargetRules.Fingerprints(updated.HostKeys)}");
        }).RequireAuthorization(ConsoleAuthentication.AdminPolicy);
    }

    private static (string Name, string Host, int Port, string[] Logins) Address(IFormCollection form)
    {
        string name = AdminRules.Name("target", Field(form, "name"));
        string host = TargetRules.Host(Field(form, "host"));
        string portText = Field(form, "port");
        int port = portText.Length == 0 ? 22
            : int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? TargetRules.Port(p)
            : throw AdminRuleException.Invalid($"--port: '{portText}' is not a port number (1-65535)");
        var logins = AdminRules.SplitList(Field(form, "logins")).Select(l => AdminRules.Name("login", l)).Distinct().ToArray();
        return (name, host, port, logins);
    }

    private static List<SshPublicKey> PinnedKeys(IFormCollection form)
    {
        var keys = form["key"].Select(k => TargetRules.HostKey(k ?? "")).ToList();
        if (keys.Count == 0) throw AdminRuleException.Invalid("a target needs a pinned host key: give --host-key \"TYPE BASE64\" or --scan");
        return keys;
    }

    private static string Keys(string id, IEnumerable<string> fingerprints) =>
        $"<ul id=\"{id}\">" + string.Concat(fingerprints.Select(f => $"<li><code>{Html.E(f)}</code></li>")) + "</ul>";

    private static string Hidden(string name, string value) => $"<input type=\"hidden\" name=\"{Html.E(name)}\" value=\"{Html.E(value)}\">";

    private static string Field(IFormCollection form, string key) => (form[key].FirstOrDefault() ?? "").Trim();

    private static TargetAdministration Targets(ConsoleServices console, HttpContext context) => new(console.Store, console.Audit, ConsoleAudit.Actor(context));

    private static IResult Done(HttpContext context, string title, string said) =>
        Html.Page(title, $"<p id=\"done\">{Html.E(said)}. <a href=\"/admin/targets\">Back to the targets</a></p>", ConsoleUser.From(context.User), context);
}
