using System.Net;

namespace Fumidai.Web.Tests;

/// <summary>Targets in chromium: add after a scan, re-pin a changed host key seeing old and new fingerprints; operators reach them through ssh after; auditors get 403.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class AdminTargetTests(ConsoleHarness h) : IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync(h);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    private string Port => h.Bastion.Target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_admin_adds_a_target_after_a_scan_and_re_pins_a_changed_host_key_and_operators_reach_both()
    {
        // A target pinned to a key its server does not have, as after a reinstall.
        string stale = h.Bastion.Directory.Combine("stale_host_key");
        Assert.Equal(0, (await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stale], BastionHarness.ProcessTimeout)).ExitCode);
        string staleLine = (await File.ReadAllTextAsync(stale + ".pub")).Trim();
        await h.Bastion.MustAsync("target", "add", "webmoved", "--host", "127.0.0.1", "--port", Port, "--login", "root", "--host-key", staleLine);
        var listed = await ProcessRunner.RunAsync("ssh-keygen", ["-lf", stale + ".pub"], BastionHarness.ProcessTimeout);
        string staleFingerprint = listed.Output.Split(' ').Single(w => w.StartsWith("SHA256:", StringComparison.Ordinal));
        var real = h.Bastion.Target.HostKeys.Select(k => k.Fingerprint).ToList();

        var tess = await h.Bastion.AddOperatorAsync("tadmin", "admin", ConsoleHarness.Password);
        var tom = await h.Bastion.AddOperatorAsync("tom");
        long step = Totp.CurrentStep();
        var refused = await h.Bastion.SshExecAsync(tom, "tom:webmoved", "echo NOT_YET", await Totp.CodeAsync(tom.Secret, step));
        Assert.NotEqual(0, refused.ExitCode);

        await _browser.RunAsync(h, "admin-targets", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "tadmin", ConsoleHarness.Password, await Totp.CodeAsync(tess.Secret, step));
            await page.GotoAsync("/admin");
            await page.ClickAsync("#targets-link");
            await page.FillAsync("#add-target input[name=name]", "webnew");
            await page.FillAsync("#add-target input[name=host]", "127.0.0.1");
            await page.FillAsync("#add-target input[name=port]", Port);
            await page.FillAsync("#add-target input[name=logins]", "root");
            await page.ClickAsync("#scan");
            string offered = await page.InnerTextAsync("#new-keys");
            Assert.All(real, f => Assert.Contains(f, offered));
            await page.ClickAsync("#confirm button");
            Assert.Contains("added target webnew (127.0.0.1:" + Port + ")", await page.InnerTextAsync("#done"));

            await page.GotoAsync("/admin/targets");
            await page.ClickAsync("tr[data-target='webmoved'] form.repin button");
            Assert.Contains(staleFingerprint, await page.InnerTextAsync("#old-keys"));
            string now = await page.InnerTextAsync("#new-keys");
            Assert.All(real, f => Assert.Contains(f, now));
            await page.ClickAsync("#confirm button");
            string done = await page.InnerTextAsync("#done");
            Assert.Contains("host keys were: " + staleFingerprint, done);
            Assert.Contains("host keys now: ", done);
        });

        var added = await h.Bastion.SshExecAsync(tom, "tom:webnew", "echo ADDED_$((1+2))", await Totp.CodeAsync(tom.Secret, step + 1));
        Assert.True(added.ExitCode == 0, added.StandardError);
        Assert.Contains("ADDED_3", added.Output);
        var tina = await h.Bastion.AddOperatorAsync("tina");
        var moved = await h.Bastion.SshExecAsync(tina, "tina:webmoved", "echo MOVED_$((2+2))", await Totp.CodeAsync(tina.Secret, step + 1));
        Assert.True(moved.ExitCode == 0, moved.StandardError);
        Assert.Contains("MOVED_4", moved.Output);

        var audit = await h.Bastion.AuditAsync();
        var add = Assert.Single(audit, e => e.Detail("action") == "target.add" && e.Target == "webnew");
        Assert.Equal(("tadmin", "web", "scan"), (add.Detail("actor"), add.Detail("via"), add.Detail("host_keys_from")));
        var repin = Assert.Single(audit, e => e.Detail("action") == "target.set" && e.Target == "webmoved");
        Assert.Equal(staleFingerprint, repin.Detail("previous_host_keys"));
        Assert.Equal(string.Join(',', real), repin.Detail("host_keys"));
        Assert.Equal("tadmin", repin.Detail("actor"));
    }

    [Fact]
    public async Task Bad_target_input_gets_the_clis_message_and_auditors_get_403()
    {
        var boss = await h.Bastion.AddOperatorAsync("tboss", "admin", ConsoleHarness.Password);
        using var admin = ConsoleHttp.Create(h, new CookieContainer());
        await ConsoleHttp.SignInAsync(admin, "tboss", ConsoleHarness.Password, await Totp.CodeAsync(boss.Secret, Totp.CurrentStep()));
        string token = await ConsoleHttp.FormTokenAsync(admin, "/admin/targets");
        (Dictionary<string, string> Form, HttpStatusCode Status, string Message)[] cases =
        [
            (new() { ["name"] = "-bad", ["host"] = "127.0.0.1" }, HttpStatusCode.BadRequest, "invalid target name &#x27;-bad&#x27;"),
            (new() { ["name"] = "okname", ["host"] = "not a host!" }, HttpStatusCode.BadRequest, "--host: &#x27;not a host!&#x27; is not a host name or IP address"),
            (new() { ["name"] = "okname", ["host"] = "127.0.0.1", ["port"] = "70000" }, HttpStatusCode.BadRequest, "--port: 70000 is not a port number (1-65535)"),
            (new() { ["name"] = "web01", ["host"] = "127.0.0.1" }, HttpStatusCode.Conflict, "target &#x27;web01&#x27; already exists"),
            (new() { ["name"] = "okname", ["host"] = "127.0.0.1", ["port"] = h.WebPort.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                HttpStatusCode.BadGateway, "is not an SSH server"),
        ];
        foreach (var (fields, status, message) in cases)
        {
            fields["__af"] = token;
            using var form = new FormUrlEncodedContent(fields);
            using var response = await admin.PostAsync("/admin/targets/scan", form);
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{string.Join(',', fields.Values)}: {(int)response.StatusCode} {body}");
            Assert.Contains(message, body);
        }

        var aud = await h.Bastion.AddOperatorAsync("taud", "auditor", ConsoleHarness.Password);
        using var client = ConsoleHttp.Create(h, new CookieContainer());
        await ConsoleHttp.SignInAsync(client, "taud", ConsoleHarness.Password, await Totp.CodeAsync(aud.Secret, Totp.CurrentStep()));
        string auditorToken = await ConsoleHttp.FormTokenAsync(client, "/sessions");
        using (var page = await client.GetAsync("/admin/targets")) Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        foreach (var path in new[] { "/admin/targets/scan", "/admin/targets", "/admin/targets/web01/scan", "/admin/targets/web01/host-keys" })
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = auditorToken, ["name"] = "sneak", ["host"] = "127.0.0.1", ["key"] = "x" });
            using var response = await client.PostAsync(path, form);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"POST {path}: {(int)response.StatusCode}");
        }
        Assert.DoesNotContain(await h.Bastion.AuditAsync(), e => e.Detail("actor") == "taud" && e.Type == "admin.change");
    }
}
