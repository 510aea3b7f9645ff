using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.Lifecycle;

public sealed class ServeLockTests
{
    [Fact]
    public void A_second_serve_on_the_same_data_directory_is_told_the_first_ones_pid()
    {
        using var dir = new TempDirectory();
        var data = new DataDirectory(dir.Path);
        using var first = data.LockForServe();

        var refused = Assert.Throws<DataDirectoryInUseException>(() => data.LockForServe());
        Assert.Contains($"(pid {Environment.ProcessId})", refused.Message);
        Assert.Contains(dir.Path, refused.Message);
    }

    [Fact]
    public void The_lock_is_free_again_once_the_first_serve_lets_go()
    {
        using var dir = new TempDirectory();
        var data = new DataDirectory(dir.Path);
        data.LockForServe().Dispose();
        using var again = data.LockForServe();
        Assert.True(File.Exists(Path.Combine(dir.Path, "serve.lock")));
    }
}
