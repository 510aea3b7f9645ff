using System.Net;
using System.Text;
using Fumidai.Web.Hosting;

namespace Fumidai.Web.Tests;

/// <summary>The console at the HTTP level, through a client that pins its self-signed certificate: headers, cookies, and bad input.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class HttpSecurityTests(ConsoleHarness h)
{
    [Fact]
    public async Task Every_page_carries_hsts_a_csp_without_inline_script_and_strict_cookies()
    {
        using var client = ConsoleHttp.Create(h);
        using var response = await client.GetAsync("/signin");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single());
        string csp = response.Headers.GetValues("Content-Security-Policy").Single();
        string scripts = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.Equal("script-src 'self' 'wasm-unsafe-eval'", scripts);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        string html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", html);
        string cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-fumidai-af=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("secure", cookie);
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=strict", cookie);

        // A plain-HTTP request to the HTTPS port gets no page.
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync($"http://127.0.0.1:{h.WebPort}/signin"));
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused_and_a_huge_body_gets_413()
    {
        using var client = ConsoleHttp.Create(h);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "httpuser", ["password"] = ConsoleHarness.Password, ["code"] = "123456" });
        using var refused = await client.PostAsync("/signin", form);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("antiforgery token is missing", await refused.Content.ReadAsStringAsync());

        using var huge = new StringContent("name=" + new string('a', (int)WebConsole.MaxRequestBodyBytes + 1024), Encoding.ASCII, "application/x-www-form-urlencoded");
        // Expect: 100-continue, as browsers and proxies may send it: the refusal comes before the body is sent.
        using var large = new HttpRequestMessage(HttpMethod.Post, "/signin") { Content = huge };
        large.Headers.ExpectContinue = true;
        using var tooLarge = await client.SendAsync(large);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("larger than the console accepts", await tooLarge.Content.ReadAsStringAsync());
        // Refused before the password was looked at: nothing was counted against anyone.
        var audit = await h.Bastion.AuditAsync();
        Assert.DoesNotContain(audit, e => e.User == "httpuser" && e.Outcome == "failure");
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_4xx_and_changes_nothing()
    {
        var cookies = new CookieContainer();
        using var client = ConsoleHttp.Create(h, cookies);
        await ConsoleHttp.SignInAsync(client, "httpuser", ConsoleHarness.Password, await h.CodeAsync("httpuser"));
        int sessionsBefore = (await h.Bastion.SessionsAsync()).Count;
        int auditBefore = (await h.Bastion.AuditAsync()).Count;

        (string Path, HttpStatusCode Status, string Message)[] cases =
        [
            ("/sessions/nosuchsession", HttpStatusCode.NotFound, "There is no session &#x27;nosuchsession&#x27;"),
            ("/sessions/nosuchsession/cast?download=1", HttpStatusCode.NotFound, "There is no session"),
            ("/sessions/..%2F..%2Fetc%2Fpasswd/cast", HttpStatusCode.BadRequest, "the session id may hold only"),
            ("/sessions/a%20b/transcript", HttpStatusCode.BadRequest, "the session id may hold only"),
            ("/sessions?from=yesterday", HttpStatusCode.BadRequest, "from: &#x27;yesterday&#x27; is not a UTC time"),
            ("/sessions?to=2026-13-45T99:99", HttpStatusCode.BadRequest, "is not a UTC time"),
            ("/sessions?size=100000", HttpStatusCode.BadRequest, "size: &#x27;100000&#x27; must be a whole number from 1 to 200"),
            ("/sessions?page=-1", HttpStatusCode.BadRequest, "page: &#x27;-1&#x27; must be a whole number"),
            ("/sessions?sort=id;DROP", HttpStatusCode.BadRequest, "sort: "),
            ("/sessions?status=deleted", HttpStatusCode.BadRequest, "status: &#x27;deleted&#x27; must be one of"),
            ("/sessions?user=a/b", HttpStatusCode.BadRequest, "is not a name"),
            ($"/sessions/{h.PlainSession}?t=abc", HttpStatusCode.BadRequest, "is not a number of seconds"),
            ("/audit?size=999999", HttpStatusCode.BadRequest, "size: "),
            ("/no/such/page", HttpStatusCode.NotFound, "There is no such page."),
        ];
        foreach (var (path, status, message) in cases)
        {
            using var response = await client.GetAsync(path);
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{path}: {(int)response.StatusCode} {body}");
            Assert.True(body.Contains(message, StringComparison.Ordinal), $"{path}: {body}");
            Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString());
        }
        // There is no way to change a recording or an audit entry: such requests find no route.
        foreach (var method in new[] { HttpMethod.Delete, HttpMethod.Put })
        {
            using var request = new HttpRequestMessage(method, $"/sessions/{h.PlainSession}");
            using var response = await client.SendAsync(request);
            Assert.True((int)response.StatusCode is 400 or 404 or 405, $"{method}: {(int)response.StatusCode}");
        }
        Assert.Equal(sessionsBefore, (await h.Bastion.SessionsAsync()).Count);
        var audit = await h.Bastion.AuditAsync();
        // Nothing was read: the only new events are those of the page views that failed nothing (none here) and none of recording access.
        Assert.DoesNotContain(audit.Skip(auditBefore), e => e.Type == "recording.access");
    }
}
