namespace Fumidai.Gateway.Configuration;

/// <summary>The plain-HTTP listener for load balancers and monitoring: <c>/healthz</c> and <c>/metrics</c>, loopback by default.</summary>
public sealed class HealthOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Plain HTTP, no authentication: keep it on loopback or a management network that only monitoring reaches. Port 0
    /// takes any free port, named in the start-up log.
    /// </summary>
    public string Listen { get; set; } = "127.0.0.1:9090";

    /// <summary>The listener's address; false when <see cref="Listen"/> is not ADDRESS:PORT.</summary>
    public bool TryGetEndPoint(out System.Net.IPEndPoint? endPoint) => ListenAddress.TryParse(Listen, out endPoint);

    /// <summary>The problems of these settings, each starting with its key.</summary>
    public IEnumerable<string> Validate()
    {
        if (Enabled && !TryGetEndPoint(out _)) yield return $"Health:Listen = '{Listen}' is not ADDRESS:PORT";
    }
}
