using Fumidai.Ssh.Framing;

namespace Fumidai.Ssh.Transport;

/// <summary>Chooses algorithms from two KEXINITs (RFC 4253 §7.1: the client's first choice the server also supports).</summary>
internal static class AlgorithmNegotiation
{
    public const string ExtInfoClient = "ext-info-c";
    public const string ExtInfoServer = "ext-info-s";
    public const string StrictKexClient = "kex-strict-c-v00@openssh.com";
    public const string StrictKexServer = "kex-strict-s-v00@openssh.com";

    public static NegotiatedAlgorithms Negotiate(KexInitMessage client, KexInitMessage server)
    {
        string kex = Choose(client.KexAlgorithms, server.KexAlgorithms, "key exchange");
        string hostKey = Choose(client.ServerHostKeyAlgorithms, server.ServerHostKeyAlgorithms, "host key");
        string c2s = Choose(client.EncryptionClientToServer, server.EncryptionClientToServer, "cipher (client to server)");
        string s2c = Choose(client.EncryptionServerToClient, server.EncryptionServerToClient, "cipher (server to client)");
        string? macC2s = IsAead(c2s) ? null : Choose(client.MacClientToServer, server.MacClientToServer, "MAC (client to server)");
        string? macS2c = IsAead(s2c) ? null : Choose(client.MacServerToClient, server.MacServerToClient, "MAC (server to client)");
        Choose(client.CompressionClientToServer, server.CompressionClientToServer, "compression");
        Choose(client.CompressionServerToClient, server.CompressionServerToClient, "compression");
        return new NegotiatedAlgorithms(kex, hostKey, c2s, s2c, macC2s, macS2c);
    }

    private static bool IsAead(string cipher) => CipherAlgorithms.TryGet(cipher, out var algorithm) && algorithm.IsAead;

    private static string Choose(string[] client, string[] server, string what)
    {
        foreach (var name in client)
        {
            if (IsPseudoAlgorithm(name)) continue;
            if (Array.IndexOf(server, name) >= 0) return name;
        }
        throw new SshProtocolException(DisconnectReason.KeyExchangeFailed, $"no common {what} algorithm");
    }

    /// <summary>Names that signal extensions in the kex list and are never chosen (RFC 8308, OpenSSH PROTOCOL §1.9).</summary>
    public static bool IsPseudoAlgorithm(string name) =>
        name is ExtInfoClient or ExtInfoServer or StrictKexClient or StrictKexServer
        || name.StartsWith("ext-info-", StringComparison.Ordinal)
        || name.StartsWith("kex-strict-", StringComparison.Ordinal);
}
