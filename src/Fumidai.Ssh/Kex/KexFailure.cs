namespace Fumidai.Ssh.Kex;

/// <summary>Builds the exception for an unusable peer ephemeral; messages name the method and the defect, never key material.</summary>
internal static class KexFailure
{
    public static SshProtocolException InvalidPeerValue(string method, string defect) =>
        new(DisconnectReason.KeyExchangeFailed, method + ": " + defect);
}
