namespace Fumidai.Ssh.Client;

/// <summary>The server answered CHANNEL_FAILURE to a request the session cannot go on without (exec, shell, subsystem, pty-req).</summary>
public sealed class SshChannelRequestException : Exception
{
    public SshChannelRequestException(string requestType, string detail)
        : base($"the server refused the {requestType} request ({detail})") => RequestType = requestType;

    public string RequestType { get; }
}
