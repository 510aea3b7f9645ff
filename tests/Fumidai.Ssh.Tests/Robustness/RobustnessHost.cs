using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.TestHost;
using Fumidai.Ssh.Transport;

namespace Fumidai.Ssh.Tests.Robustness;

/// <summary>A test host with the default transport settings and a capturing log, shared by one class of attack tests.</summary>
public sealed class RobustnessHost : IAsyncLifetime
{
    public const string Password = "robustness password 1234";

    /// <summary>Low, so the attempts test is short; the other tests authenticate at the first try.</summary>
    public const int MaxAttempts = 3;

    public TempDirectory Directory { get; } = new("fumidai-robustness");

    public CapturingLogger Log { get; } = new();

    public TestSshServer Server { get; private set; } = null!;

    public int Port => Server.Port;

    public Task InitializeAsync()
    {
        Server = Start(Directory, Log, new SshConnectionLimits { MaxAuthAttempts = MaxAttempts });
        return Task.CompletedTask;
    }

    /// <summary>Starts a test host with the password <see cref="Password"/> and the default algorithms.</summary>
    public static TestSshServer Start(TempDirectory directory, CapturingLogger log, SshConnectionLimits limits) =>
        TestSshServer.Start(new TestHostOptions
        {
            HostKeyDirectory = directory.Combine("hostkeys"),
            Password = Password,
            Transport = new SshTransportSettings(),
            Authentication = new ServerAuthenticationSettings { FailureDelay = TimeSpan.FromMilliseconds(20) },
            Limits = limits,
        }, log);

    /// <summary>
    /// The check after every attack: a well-behaved client still logs in and runs a command, and nothing reached the
    /// server's last-resort error handler.
    /// </summary>
    public async Task AssertStillServesAsync() => await AssertServesAsync(Port, Log);

    public static async Task AssertServesAsync(int port, CapturingLogger log)
    {
        await using (var client = await ScriptedClient.LoginAsync(port, Password))
        {
            var (output, status) = await client.ExecAsync("write 1000");
            Assert.Equal(0u, status);
            Assert.Equal(1000, output.Length);
            Assert.Equal(7u, (await client.ExecAsync("exit 7")).ExitStatus);
        }
        log.AssertNoErrors();
    }

    /// <summary>Waits for the server's one log line about the connection it dropped.</summary>
    public Task<CapturingLogger.Entry> ExpectLoggedAsync(string text) =>
        Log.WaitForAsync(e => e.Message.Contains(text, StringComparison.Ordinal), TimeSpan.FromSeconds(10));

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Dispose();
    }
}
