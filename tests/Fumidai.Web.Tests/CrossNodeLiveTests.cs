using System.Diagnostics;
using System.Net;
using Fumidai.Gateway.Storage;

namespace Fumidai.Web.Tests;

/// <summary>
/// Node A's console and sessions that run on node B: the live view is relayed from node B's cluster listener, Terminate and
/// Lock user go to node B and end the session there; an auditor watches but cannot terminate; a node that does not answer
/// is reported, never taken for done.
/// </summary>
public sealed class CrossNodeLiveTests(CrossNodeConsole h) : IClassFixture<CrossNodeConsole>, IAsyncLifetime
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);
    private const string TermText = "document.querySelector('#live-player .ap-term') ? document.querySelector('#live-player .ap-term').innerText : ''";
    private ConsoleBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync([h.SpkiPin()]);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task An_admin_on_node_a_watches_a_session_on_node_b_live_and_terminates_it_with_a_reason_the_operator_sees()
    {
        var (ssh, id, prompt) = await h.SessionOnNodeBAsync("nina");
        await using var _ = ssh;
        await ssh.TypeAsync("echo BEFORE_$((40+2))_JOIN\r");
        int before = await ssh.WaitForAsync("BEFORE_42_JOIN", Short, prompt);

        TimeSpan delay = TimeSpan.Zero;
        await _browser.RunAsync(h.BaseUri, "cross-node-live", async page =>
        {
            await ConsoleBrowser.SignInAsync(page, "otto", ConsoleHarness.Password, await h.CodeAsync("otto"));
            await page.GotoAsync($"/sessions/{id}/watch");
            Assert.Contains("node-b", await page.InnerTextAsync("#relayed"));
            await page.WaitForFunctionAsync($"() => ({TermText}).includes('BEFORE_42_JOIN')");

            await ssh.TypeAsync("echo RELAYED_$((6*7))_NOW\r");
            await ssh.WaitForAsync("RELAYED_42_NOW", Short, before);
            var clock = Stopwatch.StartNew();
            await page.WaitForFunctionAsync($"() => ({TermText}).includes('RELAYED_42_NOW')", null, new() { Timeout = 15_000, PollingInterval = 50 });
            delay = clock.Elapsed;

            await page.GotoAsync("/live");
            await page.FillAsync($"tr[data-session='{id}'] input[name=reason]", "incident 91 seen from node A");
            await page.ClickAsync($"tr[data-session='{id}'] button.terminate");
            await page.WaitForURLAsync("**/live");
        });
        Assert.True(delay < TimeSpan.FromSeconds(3), $"text printed on the target reached the browser {delay.TotalMilliseconds:0} ms after the operator saw it");
        int notice = await ssh.WaitForAsync("[fumidai] session closed by an administrator", TimeSpan.FromSeconds(5), before);
        Assert.Contains("incident 91 seen from node A", ssh.Output[notice..]);
        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        var end = await h.Bastion.WaitForAuditAsync(e => e.Type == "session.end" && e.Detail("session") == id, "session.end of the terminated session");
        Assert.Equal("killed", end.Detail("reason"));
        var asked = Assert.Single(await h.Bastion.AuditAsync(), e => e.Type == "admin.change" && e.Detail("action") == "web.terminate" && e.Detail("session") == id);
        Assert.Equal("otto", asked.Detail("actor"));
        Assert.Equal("node-a", asked.Detail("console_node"));
        Assert.Equal("node-b", asked.Detail("node"));
        Assert.Equal("nina", asked.User);
        Assert.Contains(await h.Bastion.AuditAsync(), e => e.Detail("action") == "web.watch" && e.Detail("session") == id && e.Detail("actor") == "otto");
    }

    [Fact]
    public async Task An_auditor_on_node_a_watches_a_session_on_node_b_but_cannot_terminate_it()
    {
        var (ssh, id, prompt) = await h.SessionOnNodeBAsync("olga");
        await using var _ = ssh;
        await ssh.TypeAsync("echo AUDITED_$((3*3))_TEXT\r");
        await ssh.WaitForAsync("AUDITED_9_TEXT", Short, prompt);
        using var client = ConsoleHttp.Create(h.BaseUri, h.Certificate);
        await ConsoleHttp.SignInAsync(client, "audra", ConsoleHarness.Password, await h.CodeAsync("audra"));

        using (var stream = await client.GetAsync($"/sessions/{id}/stream", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            Assert.StartsWith("text/event-stream", stream.Content.Headers.ContentType?.ToString());
            await using var body = await stream.Content.ReadAsStreamAsync();
            using var reader = new StreamReader(body);
            using var patience = new CancellationTokenSource(Short);
            string? line;
            bool seen = false;
            while (!seen && (line = await reader.ReadLineAsync(patience.Token)) is not null) seen = line.Contains("AUDITED_9_TEXT", StringComparison.Ordinal);
            Assert.True(seen, "the relayed stream never showed the session's screen");
        }
        string token = await ConsoleHttp.FormTokenAsync(client, "/live");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token, ["reason"] = "auditors may not" });
        using var refused = await client.PostAsync($"/sessions/{id}/terminate", form);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await ssh.TypeAsync("echo STILL_$((1+1))_HERE\r");
        await ssh.WaitForAsync("STILL_2_HERE", Short, prompt);
        Assert.DoesNotContain(await h.Bastion.AuditAsync(), e => e.Detail("action") == "web.terminate" && e.Detail("session") == id);
    }

    [Fact]
    public async Task Lock_user_on_node_a_ends_her_session_on_node_b()
    {
        var (ssh, _, prompt) = await h.SessionOnNodeBAsync("lotte");
        await using var _ssh = ssh;
        using var client = ConsoleHttp.Create(h.BaseUri, h.Certificate);
        await ConsoleHttp.SignInAsync(client, "adam", ConsoleHarness.Password, await h.CodeAsync("adam"));
        string token = await ConsoleHttp.FormTokenAsync(client, "/live");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token, ["reason"] = "incident 92" });
        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsync("/users/lotte/lock", form);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"lock: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await ssh.WaitForAsync("access revoked", TimeSpan.FromSeconds(10), prompt);
        Assert.NotEqual(0, await ssh.WaitForExitAsync(Short));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"her session on node B ended {clock.Elapsed.TotalSeconds:0.0} s after the lock");
    }

    [Fact]
    public async Task Terminate_when_the_owning_node_does_not_answer_says_so_and_the_session_keeps_running()
    {
        var (ssh, id, prompt) = await h.SessionOnNodeBAsync("nora");
        await using var _ = ssh;
        await using var store = await MetadataStore.OpenPostgresAsync(h.Cluster.ConnectionString);
        string address = (await store.GetNodeAddressAsync("node-b"))!.InternalAddress!;
        // Node B alive (heartbeat fresh), but its listener unreachable: a closed port of 127.0.0.1.
        await store.SetNodeAddressAsync("node-b", $"127.0.0.1:{BastionProcess.FreePort()}", DateTimeOffset.UtcNow);
        try
        {
            using var client = ConsoleHttp.Create(h.BaseUri, h.Certificate);
            await ConsoleHttp.SignInAsync(client, "ines", ConsoleHarness.Password, await h.CodeAsync("ines"));
            string token = await ConsoleHttp.FormTokenAsync(client, "/live");
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token, ["reason"] = "not reachable" });
            using var response = await client.PostAsync($"/sessions/{id}/terminate", form);
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            string page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
            Assert.Contains("was NOT terminated", page);
            Assert.Contains("node node-b did not answer", page);
        }
        finally
        {
            await store.SetNodeAddressAsync("node-b", address, DateTimeOffset.UtcNow);
        }
        await ssh.TypeAsync("echo STILL_$((2+2))_RUNNING\r");
        await ssh.WaitForAsync("STILL_4_RUNNING", Short, prompt);
    }
}
