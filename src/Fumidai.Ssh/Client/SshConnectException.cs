namespace Fumidai.Ssh.Client;

/// <summary>The TCP connection or the SSH handshake to host:port failed or timed out.</summary>
public sealed class SshConnectException : Exception
{
    public SshConnectException(string host, int port, string message, Exception? inner = null)
        : base($"{host}:{port}: {message}", inner)
    {
        Host = host;
        Port = port;
    }

    public string Host { get; }

    /// <summary>When the port answered but not as an SSH server: what it did instead ("it sent 'HTTP/1.1 400 …'").</summary>
    public string? NotSshReason { get; init; }

    public int Port { get; }
}
