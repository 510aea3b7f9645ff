namespace Fumidai.Recording.Recorder;

/// <summary>Where a <see cref="SessionRecorder"/> puts its asciicast lines: one local file, or a chunked spool.</summary>
internal interface IRecordingSink
{
    /// <summary>Receives whole asciicast lines (the recorder writes under its lock).</summary>
    Stream Stream { get; }

    /// <summary>Makes everything written durable; called every second and at the end.</summary>
    void Flush();

    ValueTask CompleteAsync(string endReason);
}
