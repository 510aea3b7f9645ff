using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Sessions;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary><c>sessions export -o FILE</c> writes a new owner-only file, never through a symlink, never over a file unless told.</summary>
public sealed class ExportFileTests : IDisposable
{
    private const string Cast = "{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.1, \"o\", \"secret output\\r\\n\"]\n";
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task RecordedSessionAsync()
    {
        await _cli.OkAsync("init");
        File.WriteAllText(Path.Combine(_cli.Data.RecordingsPath, "s.cast"), Cast);
        await (await _cli.StoreAsync()).AddSessionAsync(new SessionRecord("s-x", "alice", "web01", "root", "shell", null, "127.0.0.1:50000",
            DateTimeOffset.UtcNow, null, SessionStatus.Running, null, 0, 0, "s.cast"));
    }

    [Fact]
    public async Task Export_creates_the_file_readable_by_the_owner_only()
    {
        await RecordedSessionAsync();
        string output = _cli.File("out.cast");
        await _cli.OkAsync("sessions", "export", "s-x", "-o", output, "--unverified");
        Assert.Equal(Cast, File.ReadAllText(output));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(output));
        Assert.Equal(["out.cast"], Directory.GetFiles(_cli.Root).Select(Path.GetFileName).Where(n => n!.Contains("out")));
    }

    [Fact]
    public async Task Export_refuses_an_existing_file_unless_forced_and_then_replaces_it_owner_only()
    {
        await RecordedSessionAsync();
        string output = _cli.File("existing.cast");
        File.WriteAllText(output, "keep me");
        File.SetUnixFileMode(output, (UnixFileMode)Convert.ToInt32("644", 8));

        var refused = await _cli.RunAsync("sessions", "export", "s-x", "-o", output, "--unverified");
        Assert.Equal(ExitCodes.Conflict, refused.ExitCode);
        Assert.Contains("--force", refused.Error);
        Assert.Equal("keep me", File.ReadAllText(output));

        await _cli.OkAsync("sessions", "export", "s-x", "-o", output, "--force", "--unverified");
        Assert.Equal(Cast, File.ReadAllText(output));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(output));
    }

    [Fact]
    public async Task Export_refuses_to_follow_a_symlink_even_when_forced()
    {
        await RecordedSessionAsync();
        string victim = _cli.File("victim");
        File.WriteAllText(victim, "untouched");
        string link = _cli.File("link.cast");
        File.CreateSymbolicLink(link, victim);
        string dangling = _cli.File("dangling.cast");
        File.CreateSymbolicLink(dangling, _cli.File("would-be-created"));

        foreach (var args in new[] { new[] { "-o", link }, ["-o", link, "--force"], ["-o", dangling], ["-o", dangling, "--force"] })
        {
            var refused = await _cli.RunAsync(["sessions", "export", "s-x", "--unverified", .. args]);
            Assert.Equal(ExitCodes.Conflict, refused.ExitCode);
            Assert.Contains("symbolic link", refused.Error);
        }
        Assert.Equal("untouched", File.ReadAllText(victim));
        Assert.False(File.Exists(_cli.File("would-be-created")));
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    [Fact]
    public void A_failed_export_leaves_no_file_behind()
    {
        string output = _cli.File("half.cast");
        var source = new FailingSecondPass(System.Text.Encoding.UTF8.GetBytes(Cast), failAfter: 20);
        Assert.Throws<IOException>(() => Fumidai.Cli.Recordings.RecordingExporter.Export(source, output));
        Assert.Empty(Directory.GetFileSystemEntries(_cli.Root));
    }

    /// <summary>A recording that reads fine once, then fails part-way through the copy (a disk or network error).</summary>
    private sealed class FailingSecondPass(byte[] data, int failAfter) : MemoryStream(data)
    {
        private bool _rewound;

        public override long Position
        {
            get => base.Position;
            set
            {
                _rewound = true;
                base.Position = value;
            }
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_rewound && Position >= failAfter) throw new IOException("device error");
            return base.Read(buffer, offset, _rewound ? Math.Min(count, failAfter - (int)Position) : count);
        }

        public override int Read(Span<byte> buffer)
        {
            if (_rewound && Position >= failAfter) throw new IOException("device error");
            return base.Read(_rewound ? buffer[..Math.Min(buffer.Length, failAfter - (int)Position)] : buffer);
        }
    }
}
