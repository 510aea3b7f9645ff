using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Fumidai.Web.Tests;

/// <summary>An HttpClient that trusts only the console's own certificate (pinned byte for byte), with cookies, and a sign-in through the form.</summary>
public static partial class ConsoleHttp
{
    public static HttpClient Create(ConsoleHarness harness, CookieContainer? cookies = null) => Create(harness.BaseUri, harness.Certificate, cookies);

    /// <summary>A client of the console at <paramref name="baseUri"/>, whose certificate is <paramref name="certificate"/>.</summary>
    public static HttpClient Create(Uri baseUri, X509Certificate2 certificate, CookieContainer? cookies = null)
    {
        var pinned = certificate.RawData;
        var handler = new HttpClientHandler
        {
            CookieContainer = cookies ?? new CookieContainer(),
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.RawData.AsSpan().SequenceEqual(pinned),
        };
        return new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The antiforgery token of a page's form.</summary>
    public static async Task<string> FormTokenAsync(HttpClient client, string path)
    {
        string html = await client.GetStringAsync(path);
        var match = TokenField().Match(html);
        Assert.True(match.Success, "no antiforgery field on " + path);
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>Signs in through the form; the client's cookies then carry the sign-in.</summary>
    public static async Task SignInAsync(HttpClient client, string user, string password, string code)
    {
        string token = await FormTokenAsync(client, "/signin");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__af"] = token,
            ["name"] = user,
            ["password"] = password,
            ["code"] = code,
        });
        using var response = await client.PostAsync("/signin", form);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in of {user}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [GeneratedRegex("name=\"__af\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
