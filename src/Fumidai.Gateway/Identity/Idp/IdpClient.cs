using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Fumidai.Gateway.Configuration;

namespace Fumidai.Gateway.Identity.Idp;

/// <summary>
/// Asks the IdP about a user who is not there: her refresh token at the token endpoint (<c>refresh_token</c> grant), then
/// userinfo with the access token it gives. Only <c>invalid_grant</c> says she is gone; every other failure is
/// <see cref="IdpUnavailableException"/>. No token value ever goes into a message.
/// </summary>
public sealed class IdpClient : IDisposable
{
    private const int MaxAnswer = 1 << 20;
    private readonly HttpClient _http;
    private readonly OidcOptions _options;
    private IdpEndpoints? _endpoints;

    public IdpClient(OidcOptions options, HttpMessageHandler? handler = null)
    {
        _options = options;
        _http = new HttpClient(handler ?? IdpBackchannel.Handler(options.CaFile)) { Timeout = TimeSpan.FromSeconds(30), MaxResponseContentBufferSize = MaxAnswer };
    }

    private sealed record IdpEndpoints(Uri Token, Uri UserInfo, bool BasicAuth);

    /// <summary>What the IdP says of the holder of <paramref name="refreshToken"/>, issued for <paramref name="subject"/>.</summary>
    /// <exception cref="IdpUnavailableException">The IdP could not be reached or gave no usable answer.</exception>
    public async Task<IdpAnswer> AskAsync(string refreshToken, string subject, CancellationToken cancellationToken)
    {
        try
        {
            var endpoints = _endpoints ??= await DiscoverAsync(cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoints.Token);
            var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken };
            string secret = _options.ReadClientSecret();
            if (endpoints.BasicAuth)
            {
                string pair = Uri.EscapeDataString(_options.ClientId!) + ":" + Uri.EscapeDataString(secret);
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
            }
            else
            {
                form["client_id"] = _options.ClientId!;
                form["client_secret"] = secret;
            }
            request.Content = new FormUrlEncodedContent(form);
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            using var answer = await ReadJsonAsync(response, "token endpoint", cancellationToken).ConfigureAwait(false);
            var root = answer.RootElement;
            if (!response.IsSuccessStatusCode)
            {
                string error = Text(root, "error") ?? "none";
                if (error == "invalid_grant") return new IdpAnswer.Gone("the identity provider refused her sign-in (invalid_grant)");
                throw new IdpUnavailableException($"token endpoint answered {(int)response.StatusCode} with error {Short(error)}");
            }
            string accessToken = Text(root, "access_token") ?? throw new IdpUnavailableException("token endpoint answered without an access token");
            var claims = await UserInfoAsync(endpoints.UserInfo, accessToken, cancellationToken).ConfigureAwait(false);
            if (Text(claims, "sub") != subject) throw new IdpUnavailableException("userinfo names another subject than her sign-in did");
            // Entra ID and others put groups in the ID token only: the one the token endpoint just sent counts too (it came
            // straight from the IdP over TLS, so it needs no signature check, only its issuer, audience and subject).
            JsonElement? idToken = Text(root, "id_token") is { } jwt ? IdTokenClaims(jwt, subject) : null;
            var groups = Groups(claims) ?? (idToken is { } id ? Groups(id) : null);
            string? name = Text(claims, _options.UsernameClaim) ?? (idToken is { } token ? Text(token, _options.UsernameClaim) : null);
            return new IdpAnswer.Known(subject, name, groups, Text(root, "refresh_token"));
        }
        catch (HttpRequestException ex)
        {
            throw new IdpUnavailableException("cannot reach the identity provider: " + Short(ex.Message), ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IdpUnavailableException("the identity provider did not answer within 30 s", ex);
        }
    }

    private async Task<IdpEndpoints> DiscoverAsync(CancellationToken cancellationToken)
    {
        string authority = _options.Authority!.TrimEnd('/');
        using var response = await _http.GetAsync(new Uri(authority + "/.well-known/openid-configuration"), cancellationToken).ConfigureAwait(false);
        using var document = await ReadJsonAsync(response, "discovery document", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new IdpUnavailableException($"discovery document answered {(int)response.StatusCode}");
        var root = document.RootElement;
        if (Text(root, "issuer")?.TrimEnd('/') != authority) throw new IdpUnavailableException("the discovery document names another issuer");
        var methods = root.TryGetProperty("token_endpoint_auth_methods_supported", out var m) && m.ValueKind == JsonValueKind.Array
            ? m.EnumerateArray().Select(e => e.ToString()).ToList()
            : null;
        // Without the list the default is client_secret_basic (OpenID Connect Discovery 1.0, section 3).
        bool basic = methods is null || methods.Contains("client_secret_basic");
        return new IdpEndpoints(HttpsUri(root, "token_endpoint"), HttpsUri(root, "userinfo_endpoint"), basic);
    }

    private async Task<JsonElement> UserInfoAsync(Uri endpoint, string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw new IdpUnavailableException($"userinfo refused the fresh access token ({(int)response.StatusCode})");
        using var document = await ReadJsonAsync(response, "userinfo", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new IdpUnavailableException($"userinfo answered {(int)response.StatusCode}");
        return document.RootElement.Clone();
    }

    private JsonElement IdTokenClaims(string jwt, string subject)
    {
        string[] parts = jwt.Split('.');
        if (parts.Length != 3) throw new IdpUnavailableException("the token endpoint sent an ID token that is not a JWT");
        JsonElement claims;
        try
        {
            using var document = JsonDocument.Parse(Base64Url(parts[1]));
            claims = document.RootElement.Clone();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw new IdpUnavailableException("the token endpoint sent an unreadable ID token", ex);
        }
        bool audience = claims.TryGetProperty("aud", out var aud) && (aud.ValueKind == JsonValueKind.Array
            ? aud.EnumerateArray().Any(a => a.ToString() == _options.ClientId)
            : aud.ToString() == _options.ClientId);
        if (Text(claims, "iss")?.TrimEnd('/') != _options.Authority!.TrimEnd('/') || !audience || Text(claims, "sub") != subject)
            throw new IdpUnavailableException("the refreshed ID token is not for this client and subject");
        return claims;
    }

    /// <summary>Her groups, or null when the claim is absent (the IdP then says nothing about them, which is not "none").</summary>
    private List<string>? Groups(JsonElement claims) =>
        !claims.TryGetProperty(_options.RolesClaim, out var value) ? null
        : value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(g => g.ToString()).Take(1000).ToList()
        : value.ValueKind == JsonValueKind.String ? [value.GetString()!]
        : null;

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        try
        {
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new IdpUnavailableException($"{what} answered {(int)response.StatusCode} with JSON that is not an object");
            }
            return document;
        }
        catch (JsonException ex)
        {
            throw new IdpUnavailableException($"{what} answered {(int)response.StatusCode} without JSON", ex);
        }
    }

    private static Uri HttpsUri(JsonElement root, string name) =>
        Text(root, name) is { } text && Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
            ? uri
            : throw new IdpUnavailableException($"the discovery document has no https {name}");

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[] Base64Url(string text)
    {
        string padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }

    private static string Short(string text) => text.Length > 120 ? text[..120] : text;

    public void Dispose() => _http.Dispose();
}
