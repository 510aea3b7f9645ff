namespace Fumidai.Ssh.Transport;

/// <summary>The algorithms agreed in one key exchange. MAC names are null for AEAD ciphers.</summary>
public sealed record NegotiatedAlgorithms(
    string Kex,
    string HostKey,
    string CipherClientToServer,
    string CipherServerToClient,
    string? MacClientToServer,
    string? MacServerToClient);
