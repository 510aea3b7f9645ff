namespace Fumidai.Ssh.Client;

/// <summary>The collected output and ending of a command run with <see cref="SshClient.RunCommandAsync"/>.</summary>
public sealed record SshCommandResult(SshExitResult Exit, byte[] StandardOutput, byte[] StandardError)
{
    public string Output => System.Text.Encoding.UTF8.GetString(StandardOutput);

    public string Error => System.Text.Encoding.UTF8.GetString(StandardError);
}
