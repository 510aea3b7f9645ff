namespace Fumidai.Gateway.Configuration;

/// <summary>The node-to-node listener through which another node's console watches, terminates and locks this node's sessions.</summary>
public sealed class ClusterOptions
{
    /// <summary>
    /// ADDRESS:PORT other nodes reach this one on (e.g. <c>10.0.0.5:9443</c>); TLS with a certificate from the cluster's
    /// node CA on both sides. Unset (the default): off, and consoles of other nodes cannot watch this node's sessions.
    /// </summary>
    public string? Listen { get; set; }

    /// <summary>The address other nodes are told to dial, when it differs from <see cref="Listen"/> (e.g. Listen is 0.0.0.0:9443).</summary>
    public string? Advertise { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Listen);

    /// <summary>The listener's address (port 0 takes any free port, named in the start-up log); false when not ADDRESS:PORT.</summary>
    public bool TryGetEndPoint(out System.Net.IPEndPoint? endPoint) => ListenAddress.TryParse(Listen, out endPoint);

    /// <summary>The problems of these settings, each starting with its key.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Enabled) yield break;
        if (!TryGetEndPoint(out var listen)) yield return $"Cluster:Listen = '{Listen}' is not ADDRESS:PORT";
        else if (string.IsNullOrWhiteSpace(Advertise) && (listen!.Address.Equals(System.Net.IPAddress.Any) || listen.Address.Equals(System.Net.IPAddress.IPv6Any)))
            yield return $"Cluster:Advertise must name the address other nodes dial when Cluster:Listen = '{Listen}' listens on every address";
        if (!string.IsNullOrWhiteSpace(Advertise) && !ConfigurationLoader.TryParseEndPoint(Advertise, out _))
            yield return $"Cluster:Advertise = '{Advertise}' is not ADDRESS:PORT";
    }
}
