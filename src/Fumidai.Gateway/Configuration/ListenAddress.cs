namespace Fumidai.Gateway.Configuration;

/// <summary>A listener's <c>ADDRESS:PORT</c> setting, where port 0 asks for any free port.</summary>
public static class ListenAddress
{
    /// <summary>False unless <paramref name="value"/> names an address and a port.</summary>
    public static bool TryParse(string? value, out System.Net.IPEndPoint? endPoint)
    {
        endPoint = null;
        // IPEndPoint alone takes "9090" for the address 0.0.35.130 on port 0: a port must be written.
        string listen = value ?? "";
        int colon = listen.LastIndexOf(':');
        return colon > 0 && colon < listen.Length - 1 && listen[(colon + 1)..].All(char.IsAsciiDigit)
            && System.Net.IPEndPoint.TryParse(listen, out endPoint);
    }
}
