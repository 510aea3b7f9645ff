using Fumidai.Recording.Asciicast;

namespace Fumidai.Cli.Recordings;

/// <summary>Replays a recording's output to a terminal with its original timing, sped up and with long pauses cut.</summary>
public sealed class RecordingPlayer
{
    private readonly double _speed;
    private readonly TimeSpan? _idleLimit;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    public RecordingPlayer(double speed, TimeSpan? idleLimit, Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        _speed = speed;
        _idleLimit = idleLimit;
        _delay = delay ?? Task.Delay;
    }

    public async Task PlayAsync(Stream stream, TextWriter output, CancellationToken cancellationToken)
    {
        using var reader = new AsciicastReader(stream);
        _ = reader.Header;
        var previous = TimeSpan.Zero;
        foreach (var e in reader.ReadEvents())
        {
            if (e.Type != AsciicastEventType.Output) continue;
            var pause = e.Time - previous;
            previous = e.Time;
            if (_idleLimit is { } limit && pause > limit) pause = limit;
            pause /= _speed;
            if (pause > TimeSpan.FromMilliseconds(1))
            {
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                await _delay(pause, cancellationToken).ConfigureAwait(false);
            }
            await output.WriteAsync(e.Data).ConfigureAwait(false);
        }
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
