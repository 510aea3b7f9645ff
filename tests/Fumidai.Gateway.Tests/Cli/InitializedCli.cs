namespace Fumidai.Gateway.Tests.Cli;

/// <summary>A harness whose data directory was created once with <c>fumidai init --admin boss</c>, shared by a test class.</summary>
public sealed class InitializedCli : IAsyncLifetime
{
    public CliHarness Cli { get; } = new();

    public CliResult Init { get; private set; } = null!;

    public async Task InitializeAsync() => Init = await Cli.OkAsync("init", "--admin", "boss");

    public Task DisposeAsync()
    {
        Cli.Dispose();
        return Task.CompletedTask;
    }
}
